/**
 * Claim keys (capabilities.ts): a task's key is its required capabilities, sorted and deduplicated;
 * a worker finds exactly the tasks whose key is among the keys its capabilities cover.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capabilityKey, coveredKeys } from '../src/capabilities.js';

const cap = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l');

describe('claim keys', () => {
  it('a task key is sorted and deduplicated; no capabilities means no key', () => {
    expect(capabilityKey(['payments', 'eu', 'payments'])).toBe('eu payments');
    expect(capabilityKey([])).toBeNull();
    expect(coveredKeys(['b', 'a'])).toEqual(['a', 'a b', 'b']);
    expect(coveredKeys([])).toEqual([]);
  });

  it('up to ten capabilities, a worker covers exactly the tasks whose capabilities it has', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(cap, { maxLength: 10 }),
        fc.array(cap, { minLength: 1, maxLength: 4 }),
        (worker, task) => {
          const covered = coveredKeys(worker).includes(capabilityKey(task) as string);
          expect(covered).toBe(task.every((c) => worker.includes(c)));
        },
      ),
    );
  });

  it('beyond ten, subsets of at most three: a large worker still finds small tasks, and only those it may run', () => {
    const worker = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
    const keys = new Set(coveredKeys(worker));
    expect(keys.has('a k')).toBe(true);
    expect(keys.has('b e k')).toBe(true);
    expect(keys.has('a b c d')).toBe(false);
    expect(keys.has('a z')).toBe(false);
    expect(keys.size).toBe(11 + 55 + 165);
  });
});
