#!/usr/bin/env node
// Verifier micro-benchmark (issue 23), run by hand: `npm run build && node bench/verify.mjs`. Never a
// test. Measures the hashing and signature primitives core's verifier and the server's append path
// run on Node, so a change to them (e.g. the runtime-neutral `#crypto` module) can be compared
// before/after on the same machine: leaf hashes, node hashes (a Merkle frontier), the task-heads
// accumulator, Ed25519 verification of distinct decision records, and a whole `verifyLedger`.
import { pathToFileURL } from 'node:url';

// BENCH_CORE=<dir of another build's packages/core/dist> measures that build instead (for "before").
const core = await import(
  process.env.BENCH_CORE ? pathToFileURL(`${process.env.BENCH_CORE}/index.js`).href : '../packages/core/dist/index.js'
);

const N = Number(process.env.BENCH_N ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

// CPU time (user + system) of this process, not wall time: the machine is shared, and another
// process's load stretches wall time but not the CPU this one spends.
function best(name, ops, fn) {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RUNS; r++) {
    const t = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t);
    min = Math.min(min, (d.user + d.system) / 1000);
  }
  console.log(
    `${name.padEnd(52)} ${((min * 1e6) / ops).toFixed(0).padStart(7)} ns/op CPU  (best of ${RUNS}, ${ops} ops)`,
  );
}

const entry = JSON.stringify({ blob: 'x'.repeat(200) });
best('leafHash(200-byte string)', N, () => {
  for (let i = 0; i < N; i++) core.leafHash(entry);
});
const leaf = core.leafHash(entry);
best('MerkleFrontier.append (≈1 nodeHash each)', N, () => {
  const f = new core.MerkleFrontier();
  for (let i = 0; i < N; i++) f.append(leaf);
});
best('extendTaskAcc', N, () => {
  let acc = core.EMPTY_TASK_ACC;
  for (let i = 0; i < N; i++) acc = core.extendTaskAcc(acc, leaf);
});
best('sha256Hex / payloadDigest (small payload)', N / 4, () => {
  for (let i = 0; i < N / 4; i++) core.payloadDigest({ amount: i, to: 'acct-1' });
});

const key = core.generateSigningKey();
const SIGS = 2000;
const records = Array.from({ length: SIGS }, (_, i) => ({
  type: 'humanos.decision/v1',
  origin: 'bench',
  approvalId: `approval:human:${String(i).padStart(24, '0')}`,
  taskId: `task:human:${String(i).padStart(24, '0')}`,
  verdict: 'approved',
  decidedBy: 'did:human:bench',
  decidedAt: '2026-12-06T00:00:00.000Z',
  reason: 'ok',
  feedback: null,
  edits: null,
  payloadDigest: core.payloadDigest({ i }),
}));
const sigs = records.map((r) => core.signDecision(r, key));
best('verifyDecisionSignature (Ed25519, distinct)', SIGS, () => {
  for (let i = 0; i < SIGS; i++)
    if (!core.verifyDecisionSignature(records[i], sigs[i], key.publicKeyRaw)) throw new Error('bad');
});

// A whole export: entries with data, a checkpoint every 100 entries with its task-heads line.
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 20_000);
const origin = 'bench.ledger';
const log = new core.MerkleFrontier();
const heads = new core.TaskHeadsTree(new core.ArrayNodeStore(), 0);
const state = new Map();
const entries = [];
const checkpoints = [];
for (let seq = 0; seq < ENTRIES; seq++) {
  const taskId = `task:agent:${seq % 500}`;
  const e = core.encodeEntry({
    v: 1,
    seq,
    type: 'task.feedback',
    at: '2026-12-06T00:00:00.000Z',
    actor: 'did:agent:b',
    taskId,
    data: { blob: 'y'.repeat(300) },
  });
  const l = core.entryLeafHash(e);
  entries.push({ index: seq, entry: e, leafHash: core.bytesToHex(l), taskId });
  log.append(l);
  const h = state.get(taskId) ?? { pos: heads.size, count: 0, acc: core.EMPTY_TASK_ACC };
  h.count += 1;
  h.acc = core.extendTaskAcc(h.acc, l);
  const hl = core.taskHeadLeaf({ taskId, count: h.count, acc: h.acc });
  if (state.has(taskId)) heads.setLeaf(h.pos, hl);
  else heads.append(hl);
  state.set(taskId, h);
  if ((seq + 1) % 100 === 0) {
    const rootHash = Buffer.from(log.root()).toString('base64');
    checkpoints.push(
      core.signCheckpoint(
        { origin, size: seq + 1, rootHash, extensions: [core.taskHeadsLine({ size: heads.size, root: heads.root() })] },
        key,
      ),
    );
  }
}
const bundle = { origin, publicKey: core.didKeyFromPublicKey(key.publicKeyRaw), entries, checkpoints };
best(`verifyLedger (${ENTRIES} entries, 1 cp/100), per entry`, ENTRIES, () => {
  const r = core.verifyLedger(bundle);
  if (!r.ok) throw new Error(r.reason);
});
