/**
 * The delegation cases the Python and Go verifiers run (sdks/testdata/delegation-vectors.json): a
 * valid log with on-behalf decisions and forged variants, each with core's verdict (first bad index
 * and check). `WRITE_DELEGATION_VECTORS=1 npx vitest run packages/core/test/delegation.vectors.test.ts`
 * rewrites the file from the logs below; otherwise core must still give the verdicts it records, so
 * all three verifiers agree on the same bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LedgerBundle, parseLedgerExport, verifyLedger } from '../src/ledger.js';
import { ANN, build, created, decision, type Item, ORIGIN, terms } from './delegation.fixtures.js';

const FILE = join(import.meta.dirname, '../../../sdks/testdata/delegation-vectors.json');

const decided = (over: Parameters<typeof decision>[0] = {}): Item => ({
  type: 'approval.decided',
  record: decision(over),
});
const ended: Item = { type: 'delegation.ended', data: { delegationId: terms().delegationId, created: 0 } };
const updated = (over: Parameters<typeof terms>[0]): Item => ({
  type: 'delegation.updated',
  data: { ...terms(over), created: 0 },
});
const { delegation: _d, ...noIndex } = decision();
const { onBehalfOf: _o, delegation: _d2, role: _r, ...own } = decision();

/** Each case: a log as the server writes it. */
const CASES: Record<string, Item[]> = {
  valid: [created(), decided(), decided({ approvalId: 'approval:human:2', taskId: 'task:human:2' })],
  'valid-at-window-start': [created(), decided({ decidedAt: '2026-01-10T16:00:00.000Z' })],
  'valid-own-decision': [{ type: 'approval.decided', record: own as never }],
  'valid-updated-longer': [
    created(),
    updated({ endsAt: '2026-01-10T18:00:00.000Z' }),
    decided({ decidedAt: '2026-01-10T17:30:00.000Z' }),
  ],
  'forged-no-delegation-entry': [{ type: 'task.feedback' }, decided()],
  'forged-cites-later-entry': [decided({ delegation: 1 }), created()],
  'forged-no-index': [created(), { type: 'approval.decided', record: noIndex as never }],
  'forged-other-role': [created({ roles: ['dba'] }), decided()],
  'forged-other-delegate': [created(), decided({ decidedBy: 'did:human:mallory' })],
  'forged-other-delegator': [created(), decided({ onBehalfOf: 'did:human:carol' })],
  'forged-at-window-end': [created(), decided({ decidedAt: '2026-01-10T17:00:00.000Z' })],
  'forged-before-window': [created(), decided({ decidedAt: '2026-01-10T15:59:59.999Z' })],
  'forged-after-ended': [created(), ended, decided()],
  'forged-after-update-shortened': [created(), updated({ endsAt: '2026-01-10T16:10:00.000Z' }), decided()],
  'malformed-self-delegation': [created({ delegate: ANN })],
  'malformed-no-roles': [created({ roles: [] })],
  'malformed-ends-before-start': [created({ endsAt: '2026-01-10T15:00:00.000Z' })],
  'malformed-update-swaps-delegate': [created(), updated({ delegate: 'did:human:eve' })],
  'malformed-end-cites-nothing': [{ type: 'delegation.ended', data: { delegationId: 'x', created: 0 } }],
  'malformed-end-twice': [created(), ended, ended],
};

/** The JSON Lines export (`GET /ledger/export`) of a bundle. */
function exportText(b: LedgerBundle): string {
  const lines = [
    { type: 'header', format: 'humanos-ledger/1', origin: b.origin, publicKey: b.publicKey, size: b.entries.length },
    ...b.entries.map((e) => ({ type: 'entry', ...e })),
    ...b.checkpoints.map((note) => ({ type: 'checkpoint', note })),
  ];
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

const verdict = (text: string) => {
  const r = verifyLedger(parseLedgerExport(text));
  return r.ok ? { ok: true } : { ok: false, index: r.firstBadIndex, check: r.check ?? null, reason: r.reason };
};

if (process.env.WRITE_DELEGATION_VECTORS === '1') {
  const cases = Object.entries(CASES).map(([name, items]) => {
    const text = exportText(build(items));
    return { name, export: text, expect: verdict(text) };
  });
  const comment =
    'Made by packages/core/test/delegation.vectors.test.ts (WRITE_DELEGATION_VECTORS=1); each export must verify as `expect` says (index, check and reason of the first failure).';
  writeFileSync(FILE, `${JSON.stringify({ comment, origin: ORIGIN, cases }, null, 1)}\n`);
}

describe('the SDKs’ shared delegation cases: core gives the verdicts Python and Go must agree with', () => {
  const file = JSON.parse(readFileSync(FILE, 'utf8')) as {
    cases: { name: string; export: string; expect: Record<string, unknown> }[];
  };
  it('has every case, valid and forged', () => {
    expect(file.cases.map((c) => c.name)).toEqual(Object.keys(CASES));
    expect(file.cases.filter((c) => c.expect.ok).length).toBe(4);
  });
  for (const c of file.cases) it(c.name, () => expect(verdict(c.export)).toEqual(c.expect));
});
