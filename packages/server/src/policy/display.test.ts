import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, PolicyFileError } from './policyFile.js';

/** Display templates in the policy file: checked when the policy loads, with a stable code for what is wrong. */
const dir = mkdtempSync(join(tmpdir(), 'humanos-display-policy-'));
const write = (doc: unknown) => {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};
const policy = (display: unknown) => ({ name: 'p', version: 1, rules: [], display });
const refunds = {
  id: 'refunds',
  match: { capabilities: ['refunds'], payload: [{ path: 'amount', gt: 0 }] },
  fields: [
    { path: '/amount', label: 'Amount', format: 'money', currencyPath: '/currency', minorUnits: true },
    { path: '/iban', label: 'IBAN', format: 'identifier' },
  ],
};

describe('display templates in the policy file', () => {
  it('a valid template loads, with the rules’ matcher syntax', () => {
    const { policy: loaded } = loadPolicy(write(policy([refunds])), 'approver');
    expect(loaded.display?.[0]?.id).toBe('refunds');
  });

  it('a bad template stops start-up: invalid_display_template, naming the template and field', () => {
    const refused = (display: unknown, message: RegExp) => {
      try {
        loadPolicy(write(policy(display)), 'approver');
      } catch (e) {
        expect(e).toBeInstanceOf(PolicyFileError);
        expect((e as PolicyFileError).code).toBe('invalid_display_template');
        expect((e as Error).message).toMatch(message);
        return;
      }
      throw new Error('loaded');
    };
    refused([{ ...refunds, fields: [{ path: 'amount' }] }], /refunds, field "amount": path is not a JSON pointer/);
    refused([{ ...refunds, fields: [{ path: '/a', format: 'money' }] }], /needs currency or currencyPath/);
    refused([{ ...refunds, fields: [{ path: '/a', minorUnits: true }] }], /belong to format "money"/);
    refused([{ ...refunds, fields: [{ path: '/a', format: 'money', currency: 'XYZ' }] }], /not an ISO 4217/);
    refused([refunds, refunds], /display template refunds appears twice/);
  });

  it('schema errors (an unknown format or member) and a pattern RE2 cannot run are refused too', () => {
    expect(() => loadPolicy(write(policy([{ ...refunds, fields: [{ path: '/a', format: 'euro' }] }])), 'a')).toThrow(
      /HUMANOS_POLICY.*\/display\/0\/fields\/0\/format/,
    );
    expect(() => loadPolicy(write(policy([{ ...refunds, colour: 'red' }])), 'a')).toThrow(/HUMANOS_POLICY/);
    try {
      loadPolicy(write(policy([{ ...refunds, match: { descriptionMatches: '(a)\\1' } }])), 'a');
      throw new Error('loaded');
    } catch (e) {
      expect((e as PolicyFileError).code).toBe('unsupported_regex');
      expect((e as Error).message).toMatch(/display template refunds: descriptionMatches/);
    }
  });
});
