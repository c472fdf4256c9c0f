/**
 * RFC 7386 merge patch at the edges the RFC's own examples skip: a patch that is not an object
 * (null, an array, a scalar) replaces the target whole, and the result never shares the patch's objects.
 */
import { describe, expect, it } from 'vitest';
import { applyMergePatch, composeMergePatches } from '../src/mergePatch.js';

describe('a patch that is not an object replaces the target', () => {
  it('null, an array or a scalar patch is the result', () => {
    expect(applyMergePatch({ a: 1 }, null)).toBeNull();
    expect(applyMergePatch({ a: 1 }, [1, { b: 2 }])).toEqual([1, { b: 2 }]);
    expect(applyMergePatch({ a: 1 }, 'x')).toBe('x');
    expect(composeMergePatches({ a: 1 }, null)).toBeNull();
    expect(composeMergePatches(null, { a: { b: null } })).toEqual({ a: { b: null } });
  });
  it('applying changes neither the proposal nor the patch, and the result does not share the patch’s values', () => {
    const target = { a: { b: 1 }, e: 2 };
    const patch = { c: { d: [1] }, e: null };
    const out = applyMergePatch(target, patch) as { a: { b: number }; c: { d: number[] } };
    expect(out).toEqual({ a: { b: 1 }, c: { d: [1] } });
    expect(target).toEqual({ a: { b: 1 }, e: 2 });
    out.c.d.push(2);
    expect(patch).toEqual({ c: { d: [1] }, e: null });
  });
});

describe('the result shares nothing with the proposal', () => {
  it('editing a member the patch did not touch leaves the proposal as proposed', () => {
    const proposal = { to: { name: 'Ann', tags: ['a'] }, amount: { value: 5 }, cc: 'b@x' };
    const out = applyMergePatch(proposal, { cc: null }) as typeof proposal;
    expect(out).toEqual({ to: { name: 'Ann', tags: ['a'] }, amount: { value: 5 } });
    out.to.name = 'Eve';
    out.to.tags.push('b');
    out.amount.value = 5000;
    expect(proposal).toEqual({ to: { name: 'Ann', tags: ['a'] }, amount: { value: 5 }, cc: 'b@x' });
  });
  it('nor does a member beside a patched one, at any depth', () => {
    const proposal = { a: { b: { c: 1 }, d: { e: [1] } } };
    const out = applyMergePatch(proposal, { a: { b: { c: 2 } } }) as { a: { b: { c: number }; d: { e: number[] } } };
    expect(out).toEqual({ a: { b: { c: 2 }, d: { e: [1] } } });
    out.a.d.e.push(2);
    expect(proposal).toEqual({ a: { b: { c: 1 }, d: { e: [1] } } });
  });
});
