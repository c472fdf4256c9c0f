import { bytesToHex } from '@humanos/core';
import type { FastifyInstance } from 'fastify';
import type { Access } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { API_PREFIX, type Api, sendProblem, textBytes, withinBytes } from '../kernel/routes.js';
import { op, problemsOnly, responses, TaskIdParams } from '../kernel/schemas.js';
import { exportLedgerStream } from './export.js';
import type { History } from './history.js';
import {
  CheckpointView,
  ConsistencyProofView,
  ConsistencyQuery,
  EntriesQuery,
  EntriesView,
  HistoryView,
  InclusionProofView,
  InclusionQuery,
  NdjsonExport,
  PublicKeyView,
} from './schemas.js';

type LedgerDeps = Pick<FeatureDeps, 'db' | 'ledger' | 'origin' | 'signerDid'>;

/** Public: the checkpoint and key are what anyone verifies against, and reveal only a size. */
export function ledgerPublicRoutes(plain: FastifyInstance, deps: LedgerDeps): void {
  const app = plain as unknown as Api;
  app.get(
    `${API_PREFIX}/ledger/checkpoint`,
    {
      schema: {
        ...op('getCheckpoint', 'Latest checkpoint', 'The latest signed checkpoint (public).'),
        tags: ['ledger'],
        security: [],
        response: responses(200, CheckpointView, 404),
      },
    },
    async (_req, reply) => {
      const cp = await deps.ledger.latestCheckpoint(deps.db);
      if (!cp) return sendProblem(reply, 'not_found', 'the ledger is empty');
      return {
        size: Number(cp.size),
        rootHash: bytesToHex(Buffer.from(cp.root_hash, 'base64'), '0x'),
        checkpoint: cp.note,
        origin: deps.origin,
      };
    },
  );
  // Public too: a client that pinned a checkpoint checks every newer one extends it (hashes only).
  app.get(
    `${API_PREFIX}/ledger/proof/consistency`,
    {
      schema: {
        ...op(
          'getConsistencyProof',
          'Consistency proof',
          'Proves the tree at `to` extends the tree at `from` (public: hashes only).',
        ),
        tags: ['ledger'],
        querystring: ConsistencyQuery,
        security: [],
        response: responses(200, ConsistencyProofView, 400, 404),
      },
    },
    async (req, reply) => {
      const to = req.query.to ?? (await deps.ledger.size(deps.db));
      if (req.query.from > to)
        return sendProblem(reply, 'bad_request', `from (${req.query.from}) is beyond to (${to})`);
      const cp = await deps.ledger.checkpointAt(deps.db, to);
      if (!cp) return sendProblem(reply, 'not_found', `no signed checkpoint at size ${to}`);
      const proof = await deps.ledger.consistencyProof(deps.db, req.query.from, to);
      return { from: req.query.from, to, consistencyProof: proof.map((h) => bytesToHex(h, '0x')), checkpoint: cp.note };
    },
  );
  app.get(
    `${API_PREFIX}/ledger/public-key`,
    {
      schema: {
        ...op('getPublicKey', 'Signing key', 'The key checkpoints and grants are signed with (public).'),
        tags: ['ledger'],
        security: [],
        response: responses(200, PublicKeyView),
      },
    },
    async () => ({
      origin: deps.origin,
      publicKey: deps.signerDid,
      algorithm: 'Ed25519' as const,
    }),
  );
}

/**
 * A task's verified history (anyone who may see the task), and the ledger's entries, proofs and
 * export, which expose payloads: admins and auditors only.
 */
export function ledgerRoutes(api: Api, deps: LedgerDeps & { access: Access; history: History }): void {
  api.get(
    `${API_PREFIX}/tasks/:taskId/history`,
    {
      schema: {
        ...op(
          'getTaskHistory',
          'Verified history',
          'The task’s ledger entries with inclusion proofs against one checkpoint.',
        ),
        tags: ['tasks'],
        params: TaskIdParams,
        response: responses(200, HistoryView, 400, 401, 404),
      },
    },
    async (req) => deps.history.taskHistory(req.principal, req.params.taskId),
  );
  api.register(async (plainAudit) => {
    const audit = plainAudit as unknown as Api;
    audit.addHook('preHandler', async (req, reply) => {
      // The policy's auditorRole (default `auditor`), as for GET /policy and calibration.
      if (!deps.access.isAuditor(req.principal)) {
        return sendProblem(reply, 'forbidden', `reading the ledger needs the admin or ${deps.access.auditorRole} role`);
      }
    });
    auditRoutes(audit, deps);
  });
}

function auditRoutes(audit: Api, { db, ledger, ...rest }: LedgerDeps): void {
  audit.get(
    `${API_PREFIX}/ledger/entries`,
    {
      schema: {
        ...op(
          'listLedgerEntries',
          'Ledger entries',
          'Entries `start` ≤ index < `end`, at most 1000 (admin or auditor).',
        ),
        tags: ['ledger'],
        querystring: EntriesQuery,
        response: responses(200, EntriesView, 400, 401, 403),
      },
    },
    async (req) => {
      const size = await ledger.size(db);
      const end = Math.min(req.query.end ?? size, size, req.query.start + 1000);
      // Bounded by size as well as count: fewer entries when they are large (continue from the last).
      const heads = await db
        .selectFrom('ledger_entries')
        .select(['seq', textBytes(['entry']).as('bytes')])
        .where('seq', '>=', req.query.start)
        .where('seq', '<', end)
        .orderBy('seq')
        .execute();
      const fit = withinBytes(heads, (h) => Number(h.bytes));
      const rows = await db
        .selectFrom('ledger_entries')
        .select(['seq', 'entry', 'leaf_hash'])
        .where('seq', '>=', req.query.start)
        .where('seq', '<', req.query.start + fit.length)
        .orderBy('seq')
        .execute();
      return { size, entries: rows.map((r) => ({ index: Number(r.seq), entry: r.entry, leafHash: r.leaf_hash })) };
    },
  );
  audit.get(
    `${API_PREFIX}/ledger/proof/inclusion`,
    {
      schema: {
        ...op('getInclusionProof', 'Inclusion proof', 'Proves one entry is in the tree of `size` (admin or auditor).'),
        tags: ['ledger'],
        querystring: InclusionQuery,
        response: responses(200, InclusionProofView, 400, 401, 403, 404),
      },
    },
    async (req, reply) => {
      const size = req.query.size ?? (await ledger.size(db));
      const cp = await ledger.checkpointAt(db, size);
      if (!cp) return sendProblem(reply, 'not_found', `no signed checkpoint at size ${size}`);
      if (req.query.index >= size)
        return sendProblem(reply, 'bad_request', `index ${req.query.index} is outside size ${size}`);
      const proof = await ledger.inclusionProof(db, req.query.index, size);
      return {
        index: req.query.index,
        treeSize: size,
        inclusionProof: proof.map((h) => bytesToHex(h, '0x')),
        checkpoint: cp.note,
      };
    },
  );
  exportRoute(audit, { db, ledger, ...rest });
}

/** `GET /ledger/export`: the whole log as NDJSON, streamed with bounded memory. */
function exportRoute(audit: Api, { db, ledger, ...rest }: LedgerDeps): void {
  audit.get(
    `${API_PREFIX}/ledger/export`,
    {
      schema: {
        ...op(
          'exportLedger',
          'Export the ledger',
          'Every entry as NDJSON with the checkpoint, for offline verification (admin or auditor).',
        ),
        tags: ['ledger'],
        response: { ...NdjsonExport, ...problemsOnly(401, 403) },
      },
    },
    async (req, reply) => {
      const stream = exportLedgerStream({ db, ledger, ...rest });
      // Headers are gone by the time a page fails: the client sees a cut-off export (which verification
      // rejects), and the log says why.
      stream.on('error', (err) => req.log.error({ err }, 'ledger export failed mid-stream'));
      reply.type('application/x-ndjson');
      // A stream, not the string the schema describes: the document types the body, fastify streams it.
      return reply.send(stream as unknown as string);
    },
  );
}
