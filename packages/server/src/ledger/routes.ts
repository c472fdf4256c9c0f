import type { FastifyInstance } from 'fastify';
import type { Access } from '../kernel/access.js';
import type { FeatureDeps } from '../kernel/deps.js';
import { API_PREFIX, type Api, sendProblem } from '../kernel/routes.js';
import { op, problemsOnly, responses, TaskIdParams } from '../kernel/schemas.js';
import { exportLedgerStream } from './export.js';
import type { History } from './history.js';
import { LedgerReads } from './reads.js';
import {
  CheckpointView,
  ConsistencyProofView,
  ConsistencyQuery,
  EntriesQuery,
  EntriesView,
  HistoryView,
  InclusionProofView,
  InclusionQuery,
  LedgerKeysView,
  NdjsonExport,
  PublicKeyView,
} from './schemas.js';

type LedgerDeps = Pick<FeatureDeps, 'db' | 'ledger' | 'origin' | 'signerDid'>;

/** Public: the checkpoint and key are what anyone verifies against, and reveal only a size. */
export function ledgerPublicRoutes(plain: FastifyInstance, deps: LedgerDeps): void {
  const app = plain as unknown as Api;
  const reads = new LedgerReads(deps);
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
    async () => reads.checkpoint(),
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
    async (req) => reads.consistency(req.query.from, req.query.to),
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
  app.get(
    `${API_PREFIX}/ledger/keys`,
    {
      schema: {
        ...op(
          'getLedgerKeys',
          'Key history',
          'Every key the ledger has been signed with and from which size (public): checkpoints and decision records from before a rotation verify with the key in force then.',
        ),
        tags: ['ledger'],
        security: [],
        response: responses(200, LedgerKeysView),
      },
    },
    async () => ({ origin: deps.origin, keys: deps.ledger.keys.list() }),
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
    auditRoutes(audit, new LedgerReads(deps), deps);
  });
}

function auditRoutes(audit: Api, reads: LedgerReads, deps: LedgerDeps): void {
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
    async (req) => reads.entries(req.query.start, req.query.end),
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
    async (req) => reads.inclusion(req.query.index, req.query.size),
  );
  exportRoute(audit, deps);
}

/** `GET /ledger/export`: the whole log as NDJSON, streamed with bounded memory. */
function exportRoute(audit: Api, deps: LedgerDeps): void {
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
      const stream = exportLedgerStream(deps);
      // Headers are gone by the time a page fails: the client sees a cut-off export (which verification
      // rejects), and the log says why.
      stream.on('error', (err) => req.log.error({ err }, 'ledger export failed mid-stream'));
      reply.type('application/x-ndjson');
      // A stream, not the string the schema describes: the document types the body, fastify streams it.
      return reply.send(stream as unknown as string);
    },
  );
}
