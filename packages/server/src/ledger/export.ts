import type { FeatureDeps } from '../kernel/deps.js';

/**
 * JSON Lines: a header, every entry with its stored leaf hash, the store's decision rows (so a verifier
 * can check the store against the log), then every signed checkpoint.
 */
export async function exportLedger(deps: Pick<FeatureDeps, 'db' | 'ledger' | 'origin' | 'signerDid'>): Promise<string> {
  const db = deps.db;
  const size = await deps.ledger.size(db);
  const lines: string[] = [
    JSON.stringify({
      type: 'header',
      format: 'humanos-ledger/1',
      origin: deps.origin,
      publicKey: deps.signerDid,
      size,
    }),
  ];
  const PAGE = 5000;
  for (let start = 0; start < size; start += PAGE) {
    const rows = await db
      .selectFrom('ledger_entries')
      .select(['seq', 'entry', 'leaf_hash'])
      .where('seq', '>=', start)
      .where('seq', '<', Math.min(size, start + PAGE))
      .orderBy('seq')
      .execute();
    for (const r of rows)
      lines.push(JSON.stringify({ type: 'entry', index: Number(r.seq), entry: r.entry, leafHash: r.leaf_hash }));
  }
  const decisions = await db
    .selectFrom('decisions')
    .select(['ledger_index', 'record', 'signature', 'approval_id', 'principal_id', 'verdict', 'payload_digest'])
    .where('ledger_index', '<', size)
    .orderBy('ledger_index')
    .execute();
  for (const d of decisions) {
    lines.push(
      JSON.stringify({
        type: 'decision',
        ledgerIndex: Number(d.ledger_index),
        record: JSON.parse(d.record),
        signature: d.signature,
        // The columns the API reads, so an edited verdict or decider is caught offline.
        row: {
          approvalId: d.approval_id,
          principalId: d.principal_id,
          verdict: d.verdict,
          payloadDigest: d.payload_digest,
        },
      }),
    );
  }
  const cps = await db.selectFrom('checkpoints').select('note').where('size', '<=', size).orderBy('size').execute();
  for (const c of cps) lines.push(JSON.stringify({ type: 'checkpoint', note: c.note }));
  return `${lines.join('\n')}\n`;
}
