import { type Static, Type as T } from 'typebox';
import { closed, IsoTime, Nullable, named, view } from '../kernel/schemas.js';

/** Request schemas of the ledger routes. */
export const EntriesQuery = T.Object(
  { start: T.Integer({ minimum: 0 }), end: T.Optional(T.Integer({ minimum: 1 })) },
  closed,
);
export const InclusionQuery = T.Object(
  { index: T.Integer({ minimum: 0 }), size: T.Optional(T.Integer({ minimum: 1 })) },
  closed,
);
export const ConsistencyQuery = T.Object(
  { from: T.Integer({ minimum: 1 }), to: T.Optional(T.Integer({ minimum: 1 })) },
  closed,
);

/* Response schemas. */

const Hex = T.String({ pattern: '^0x[0-9a-f]*$', description: 'Hex with a `0x` prefix' });
const Note = T.String({ description: 'A signed note (C2SP signed-note format) over the tree' });
export const CheckpointView = named(
  'Checkpoint',
  view(
    { size: T.Integer(), rootHash: Hex, checkpoint: Note, origin: T.String() },
    'The latest signed checkpoint: tree size, root hash and the signed note',
  ),
);
export const ConsistencyProofView = named(
  'ConsistencyProof',
  view(
    { from: T.Integer(), to: T.Integer(), consistencyProof: T.Array(Hex), checkpoint: Note },
    'An RFC 6962 consistency proof from one tree size to another, with the checkpoint at `to`',
  ),
);
export const PublicKeyView = named(
  'PublicKey',
  view(
    {
      origin: T.String(),
      publicKey: T.String({ description: 'The signer’s `did:key`' }),
      algorithm: T.Literal('Ed25519'),
    },
    'The key the checkpoints and grants are signed with',
  ),
);
export const LedgerKeyView = named(
  'LedgerKey',
  T.Object(
    {
      publicKey: T.String({ description: 'The key as a `did:key`' }),
      fromSize: T.Integer({
        minimum: 0,
        description:
          'It signs the decision records at ledger indexes ≥ fromSize and the checkpoints of sizes > fromSize (until the next key’s fromSize)',
      }),
    },
    { additionalProperties: false, description: 'One signing key of the ledger and where it is in force' },
  ),
);
export const LedgerKeysView = named(
  'LedgerKeys',
  view(
    {
      origin: T.String(),
      keys: T.Array(LedgerKeyView, { description: 'Oldest first; the last is the current key' }),
    },
    'Every key the ledger has been signed with (a rotation appends `ledger.key_rotated`, signed by the previous key)',
  ),
);
export const EntriesView = named(
  'LedgerEntries',
  view(
    {
      size: T.Integer(),
      entries: T.Array(
        named(
          'LedgerEntry',
          view(
            {
              index: T.Integer(),
              entry: T.String({ description: 'The canonical entry text as stored' }),
              leafHash: T.String(),
            },
            'One ledger entry',
          ),
        ),
      ),
    },
    'Ledger entries `start` ≤ index < `end` (at most 1000) and the ledger size',
  ),
);
export const InclusionProofView = named(
  'InclusionProof',
  view(
    { index: T.Integer(), treeSize: T.Integer(), inclusionProof: T.Array(Hex), checkpoint: Note },
    'An RFC 6962 inclusion proof of one entry in the tree of `treeSize`, with its checkpoint',
  ),
);
export const HistoryView = named(
  'TaskHistory',
  view(
    {
      taskId: T.String(),
      checkpointSize: T.Integer({ description: 'The entries are checked against the checkpoint of this size' }),
      checkpoint: Nullable(Note),
      events: T.Array(
        named(
          'HistoryEvent',
          view(
            {
              index: T.Integer(),
              type: T.String({ description: 'The entry type (`task.created`, …), `unreadable` if it does not parse' }),
              at: Nullable(IsoTime),
              actor: Nullable(T.String()),
              approvalId: Nullable(T.String()),
              verified: T.Boolean({ description: 'Its bytes are included under the signed checkpoint' }),
            },
            'One ledger entry of the task',
          ),
        ),
      ),
      complete: T.Boolean({
        description:
          'The events are all of the task’s entries under the checkpoint: their running hash is the task’s head in the signed task-heads map (false when an entry was hidden, moved or is missing)',
      }),
      incompleteReason: Nullable(T.String({ description: 'Why `complete` is false' })),
    },
    'The task’s ledger entries with their inclusion proofs, against one checkpoint',
  ),
);
export const NdjsonExport = {
  200: {
    description: 'Every ledger entry, one JSON object a line',
    content: { 'application/x-ndjson': { schema: T.String() } },
  },
};

/* What the feature methods answer: the static types of the response schemas, so the compiler checks a route's body. */
export type HistoryView = Static<typeof HistoryView>;
