/**
 * The built-in risk rules at their exact boundaries (`risk.ts`): the large-amount and data-size
 * thresholds, the weight → level steps up to `critical`, and where amounts are found (money keys, an
 * object naming a currency, text).
 */
import { describe, expect, it } from 'vitest';
import { assessRisk, gateRisk, type RiskThresholds, walkPayload } from '../src/risk.js';

const assess = (description: string, payload: unknown = {}, t?: RiskThresholds, caps: string[] = []) =>
  assessRisk({ description, requiredCapabilities: caps, payload }, undefined, t);
const factors = (description: string, payload: unknown = {}, t?: RiskThresholds) =>
  assess(description, payload, t).factors;

describe('large amounts: at or above the threshold', () => {
  it('exactly 10 000 is a large amount; 9 999.99 is not', () => {
    expect(factors('Tidy up', { amount: 10_000 })).toContain('large_amount');
    expect(factors('Tidy up', { amount: 9_999.99 })).not.toContain('large_amount');
  });
  it('a policy threshold is inclusive too', () => {
    expect(factors('Tidy up', { amount: 500 }, { largeAmount: 500 })).toContain('large_amount');
    expect(factors('Tidy up', { amount: 499 }, { largeAmount: 500 })).not.toContain('large_amount');
  });
  it('a negative amount (a debit) counts by its size', () => {
    expect(factors('Tidy up', { amount: -20_000 })).toContain('large_amount');
  });
  it('money written in the description counts', () => {
    expect(factors('Tidy up, then $10,000 to the vendor')).toContain('large_amount');
    expect(factors('Tidy up, then $9,999 to the vendor')).not.toContain('large_amount');
  });
});

describe('amounts beside a currency key', () => {
  it('any number in an object that names its currency is money', () => {
    for (const key of ['currency', 'Currency', 'currency_code', 'currencyCode', 'ccy', 'iso_currency']) {
      expect(factors('Tidy up', { line: { n: 20_000, [key]: 'USD' } }), key).toContain('large_amount');
    }
  });
  it('without a currency key, or with a non-string currency, an unknown key is not money', () => {
    expect(factors('Tidy up', { line: { n: 20_000 } })).not.toContain('large_amount');
    expect(factors('Tidy up', { line: { n: 20_000, currency: 840 } })).not.toContain('large_amount');
    expect(factors('Tidy up', { line: { n: 20_000, my_currency: 'USD' } })).not.toContain('large_amount');
  });
  it('a money-like key is money anywhere, also inside arrays', () => {
    for (const key of ['amount', 'total', 'price', 'usd', 'payout']) {
      expect(factors('Tidy up', { items: [{ [key]: 20_000 }] }), key).toContain('large_amount');
    }
    expect(factors('Tidy up', { count: 20_000 })).not.toContain('large_amount');
  });
  it('walkPayload reports the amounts it found and not other numbers', () => {
    expect(walkPayload({ line: { n: 12, currency: 'EUR' }, rows: 7, fee: 3 }).amounts.sort()).toEqual([12, 3]);
  });
});

describe('data sizes: at or above the threshold', () => {
  it('exactly 100 GB is significant; 99.5 GB is not', () => {
    expect(factors('Copy', { size: '100GB' })).toContain('significant_size');
    expect(factors('Copy', { size: '99.5 GB' })).not.toContain('significant_size');
  });
  it('units scale: 1 TB is significant, 500 MB is not; a policy threshold applies', () => {
    expect(factors('Copy', { size: '1 tb' })).toContain('significant_size');
    expect(factors('Copy', { size: '500MB' })).not.toContain('significant_size');
    expect(factors('Copy', { size: '10GB' }, { significantSizeGb: 10 })).toContain('significant_size');
    expect(factors('Copy', { size: '9GB' }, { significantSizeGb: 10 })).not.toContain('significant_size');
  });
  it('walkPayload converts sizes to GB', () => {
    expect(walkPayload({ a: '2 TB', b: '3gb', c: '4000 MB' }).sizesGb.sort((x, y) => x - y)).toEqual([3, 4, 2000]);
  });
});

describe('weights map to levels', () => {
  // Issue 25: a destructive action alone was `low` (weight 1); it now weighs 2 (medium), and in
  // production 4 (high). These expectations changed with it.
  it('weight 0 and 1 are low', () => {
    expect(assess('Tidy up').level).toBe('low');
    expect(assess('Restart the cache')).toMatchObject({ level: 'low', factors: ['service_disruption'] });
  });
  it('weight 2 and 3 are medium', () => {
    expect(assess('Delete the cache')).toMatchObject({ level: 'medium', factors: ['irreversible_action'] });
    expect(assess('Restart the payments-api pods in prod')).toMatchObject({
      level: 'medium',
      factors: ['service_disruption', 'production_data'],
    });
    expect(assess('Delete old cache entries').level).toBe('medium');
    expect(assess('Delete all the cache entries').level).toBe('high'); // mass_deletion
  });
  it('weight 4 and 5 are high', () => {
    expect(assess('Refund', { amount: 10_000 })).toMatchObject({
      level: 'high',
      factors: ['irreversible_action', 'financial_transaction', 'large_amount'],
    });
    expect(assess('Refund and restart the worker', { amount: 10_000 }).level).toBe('high');
    expect(assess('Delete the production cache')).toMatchObject({
      level: 'high',
      factors: ['irreversible_action', 'production_data', 'destructive_in_production'],
    });
    expect(assess('Delete the production cache and restart it').level).toBe('high');
  });
  it('weight 6 and more is critical', () => {
    const r = assess('Refund and change the IAM role', { amount: 10_000 });
    expect(r.factors.sort()).toEqual([
      'access_control_change',
      'financial_transaction',
      'irreversible_action',
      'large_amount',
    ]);
    expect(r.level).toBe('critical');
    expect(assess('Delete production IAM role, refund and email', { amount: 50_000 }).level).toBe('critical');
    expect(assess('Delete the production cache and email the team').level).toBe('critical');
  });
  it('a payment at any amount, a message sent, a send_email call are not low', () => {
    expect(assess('Pay invoice', { amount: 5 }).level).toBe('medium');
    expect(assess('Process ticket', { tool: 'send_email', args: { to: 'a@b.example' } }).level).toBe('medium');
    expect(assess('send_email(to="ops@example.com", subject="hi")').level).toBe('medium');
    expect(assess('Call sendEmail').factors).toContain('external_communication');
    expect(assess('Delete S3 bucket logs-2023').level).toBe('medium');
  });
  it('capabilities are read as separate words', () => {
    expect(assess('Tidy up', {}, undefined, ['prod', 'db']).factors).toContain('production_data');
    expect(assess('Tidy up', {}, undefined, ['iam']).factors).toContain('access_control_change');
  });
  it('a very large amount (100 × the large one) is critical on its own with the payment', () => {
    expect(assess('Wire', { amount: 1_000_000 }).level).toBe('critical');
    expect(assess('Wire', { amount: 999_999 }).level).toBe('high');
  });
  it('personal data exported is high; either alone is low', () => {
    expect(assess('Export the customer data to the vendor SFTP').level).toBe('high');
    expect(assess('Count the customer records').level).toBe('low');
    expect(assess('Export the build metrics').level).toBe('low');
  });
});

describe('the agent’s claim is merged, never lowering', () => {
  it('the level is the higher one, factors and mitigations a set union', () => {
    const claimed = assessRisk(
      { description: 'Delete the production cache', requiredCapabilities: [], payload: {} },
      { level: 'low', factors: ['custom', 'irreversible_action'], mitigations: ['backup', 'backup'] },
    );
    expect(claimed).toEqual({
      level: 'high',
      factors: ['custom', 'irreversible_action', 'production_data', 'destructive_in_production'],
      mitigations: ['backup'],
    });
    expect(assess('Tidy up').mitigations).toEqual([]);
    const raised = assessRisk({ description: 'Tidy up', requiredCapabilities: [], payload: {} }, { level: 'high' });
    expect(raised.level).toBe('high');
  });
});

describe('command-like words in the payload', () => {
  it('keys count, camelCase and snake_case split into words', () => {
    expect(factors('Maintenance', { dropTable: true })).toContain('irreversible_action');
    expect(factors('Maintenance', { purge_cache: true })).toContain('irreversible_action');
    expect(factors('Maintenance', { keep: true })).not.toContain('irreversible_action');
  });
  it('a 64-character value is a command; a 65-character one is prose', () => {
    const at64 = `delete ${'x'.repeat(57)}`;
    expect(at64).toHaveLength(64);
    expect(factors('Maintenance', { note: at64 })).toContain('irreversible_action');
    expect(factors('Maintenance', { note: `${at64}x` })).not.toContain('irreversible_action');
  });
  it('the gathered text is bounded at 64 KiB', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `word${i} ${'y'.repeat(50)}`);
    const { text } = walkPayload(many);
    expect(text.length).toBeGreaterThan(60 * 1024);
    expect(text.length).toBeLessThan(64 * 1024 + 128);
  });
});

describe('the keyword rules’ patterns', () => {
  it('money: symbols before a figure, with or without a space; word forms', () => {
    for (const d of [
      'Cover £40 of it',
      'Cover € 40 of it',
      'Move the fund',
      'Move the funds',
      'A remittance',
      'Remit it',
      'Pay in USDC',
      'Pay in USD',
    ]) {
      expect(factors(d), d).toContain('financial_transaction');
    }
    expect(factors('Cover £ of it')).not.toContain('financial_transaction');
    expect(factors('Refunds are late')).not.toContain('financial_transaction');
  });
  it('production and access: the two-word forms', () => {
    expect(factors('Update the customer-facing page')).toContain('production_data');
    expect(factors('Update the customer facing page')).toContain('production_data');
    expect(factors('Update the security policy')).toContain('access_control_change');
    expect(factors('Update the security policies')).toContain('access_control_change');
    expect(factors('Update the productions')).not.toContain('production_data');
  });
  it('amounts in text: the documented forms', () => {
    expect(walkPayload({ note: 'wire $250,000 today' }).amounts).toContain(250_000);
    expect(walkPayload({ note: 'wire 250000 USD today' }).amounts).toContain(250_000);
    expect(walkPayload({ note: 'wire EUR 1.000.000 today' }).amounts).toContain(1_000_000);
    expect(walkPayload({ note: 'wire usd 12000' }).amounts).toContain(12_000);
    expect(walkPayload({ note: 'wire 12000usd' }).amounts).toContain(12_000);
    expect(walkPayload({ note: 'the 12000 users' }).amounts).not.toContain(12_000);
  });
  it('sizes: a whole value, spaces allowed around it, decimals allowed', () => {
    expect(walkPayload({ a: ' 1.5 TB ' }).sizesGb).toEqual([1500]);
    expect(walkPayload({ a: '2PB' }).sizesGb).toEqual([2_000_000]);
    expect(walkPayload({ a: '100 GBs', b: 'x100GB', c: '100GB x' }).sizesGb).toEqual([]);
  });
  it('currency keys are whole keys, in their spellings', () => {
    for (const key of ['isocurrency', 'CCY', 'currencycode']) {
      expect(factors('Tidy up', { line: { n: 20_000, [key]: 'USD' } }), key).toContain('large_amount');
    }
    expect(factors('Tidy up', { line: { n: 20_000, currency_rate: 'USD' } })).not.toContain('large_amount');
    expect(factors('Tidy up', { AMOUNT: 20_000 })).toContain('large_amount');
  });
});

describe('the patterns, at the survivors of the first mutation run', () => {
  it('a bare figure is not money; a figure after a currency symbol is', () => {
    expect(factors('Restart 3 pods')).not.toContain('financial_transaction');
    expect(factors('Restart $3 pods')).toContain('financial_transaction');
  });
  it('the communication factor has its name', () => {
    expect(factors('Email the team')).toEqual(['external_communication']);
  });
  it('"fund" is a money key as well as "funds"', () => {
    expect(factors('Tidy up', { fund: 20_000 })).toContain('large_amount');
  });
  it('sizes with several decimals', () => {
    expect(walkPayload({ a: '1.25 TB' }).sizesGb).toEqual([1250]);
  });
  it('a decimal comma reads as a decimal point', () => {
    expect(walkPayload({ note: 'pay €12,50' }).amounts).toContain(12.5);
  });
  it('a figure and its currency code may be apart by any whitespace', () => {
    expect(walkPayload({ note: 'pay 12000\tUSD' }).amounts).toContain(12_000);
  });
  it('nothing read, no text', () => {
    expect(walkPayload(5).text).toBe('');
  });
});

describe('payload walk edges (mutation run on the merged code)', () => {
  const factors = (payload: unknown, description = 'x') =>
    assessRisk({ description, requiredCapabilities: [], payload }).factors;
  it('an unreadable amount is flagged only under a key that names an amount, and only when it has digits', () => {
    expect(factors({ amount: '5O,000' })).toContain('unreadable_amount');
    expect(factors({ price: 'free' })).not.toContain('unreadable_amount');
    expect(factors({ value: 'high' })).not.toContain('unreadable_amount');
    expect(factors({ value: 'tier 2' })).not.toContain('unreadable_amount');
    expect(factors({ street: '12 Main St' })).not.toContain('unreadable_amount');
    expect(factors({ amount_ref: 'AB-12' })).not.toContain('unreadable_amount');
  });
  it('money in text whose separators read as no number counts by its digits', () => {
    expect(factors({}, 'Pay $1,2,3,4,5 now')).toContain('large_amount');
    expect(factors({}, 'Pay $1,2,3 now')).not.toContain('large_amount');
  });
  it('the command-like text gathered from a payload is bounded to 64 KiB', () => {
    expect(walkPayload(Array.from({ length: 2000 }, () => 'a'.repeat(64))).text).toHaveLength(64 * 1024);
  });
});

describe('gateRisk of a decision gate whose stored risk names no factors', () => {
  it('keeps the task’s factors and adds none', () => {
    const task = { level: 'low' as const, factors: ['f'], mitigations: ['m'] };
    expect(gateRisk({ kind: 'decision', proposal: { risk: { level: 'high' } } }, task)).toEqual({
      level: 'high',
      factors: ['f'],
      mitigations: ['m'],
    });
    expect(gateRisk({ kind: 'decision', proposal: {} }, task)).toEqual(task);
  });
});

describe('amounts inside lists under a money key (fail closed)', () => {
  // Found by mutation testing on the merged code: the walk dropped numbers that sat in a list, so
  // `{amount: [50000]}` was rated below `{amount: 50000}` with no `large_amount`.
  it('a list of amounts counts every member, as the amount alone would', () => {
    const alone = assess('Refund customer', { amount: 50000 });
    for (const payload of [{ amount: [50000] }, { amounts: [50000, 1] }, { refund: [[1, '50,000.00']] }]) {
      expect(walkPayload(payload).amounts).toContain(50000);
      expect(assess('Refund customer', payload).level).toBe(alone.level);
      expect(factors('Refund customer', payload)).toContain('large_amount');
    }
  });
  it('an unreadable member of an amount list is flagged; numbers in a list under another key are not amounts', () => {
    expect(walkPayload({ amount: ['50k', 10] }).unreadable).toBe(1);
    expect(walkPayload({ ids: [50000, 60000] }).amounts).toEqual([]);
    expect(walkPayload({ invoice: { lines: [{ amount: 20000 }] } }).amounts).toEqual([20000]);
  });
});
