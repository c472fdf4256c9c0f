/**
 * `humanos witness`: a C2SP tlog-witness (https://c2sp.org/tlog-witness) that cosigns the
 * checkpoints of a configured set of logs with cosignature/v1 (Ed25519), so a log's readers — and
 * the log's own restarts — can tell a rolled-back or forked log from the one the witness saw. Any
 * log speaking the protocol can use it; HumanOS servers find it through `HUMANOS_WITNESSES`.
 *
 * It lives in the server package because it needs what the server already has (SQLite via
 * better-sqlite3, node:http, the signing half of core); the CLI loads it like `serve`, and tests
 * start it in-process with `startWitness`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  base64ToBytes,
  cosignCheckpoint,
  emptyRoot,
  equalBytes,
  formatVerifierKey,
  generateSigningKey,
  MerkleError,
  type NoteVerifierKey,
  openCheckpoint,
  parseAddCheckpoint,
  parseLogKey,
  type SigningKey,
  signingKeyFromPem,
  signingKeyToPem,
  splitNote,
  verifyBytes,
  verifyConsistency,
} from '@humanos/core';
import { type LatestCheckpoint, WitnessState } from '../store/witnessState.js';

/** A log the witness cosigns for: its origin and its checkpoint key (a note vkey or a did:key). */
export interface WitnessLog {
  origin: string;
  key: string;
}

export interface WitnessOptions {
  /** Holds `witness.db` (the latest cosigned checkpoint per log) and `witness-key.pem`. */
  dataDir: string;
  /** The key name (a schema-less URL); fixed at the first start. Default `humanos-witness/<8 hex of the key>`. */
  name?: string;
  logs: WitnessLog[];
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Seconds since the epoch (tests). */
  now?: () => number;
}

export interface RunningWitness {
  url: string;
  name: string;
  /** The witness's cosignature/v1 verifier key, for the logs' and verifiers' configuration. */
  vkey: string;
  close(): Promise<void>;
}

/** A response of the protocol: status, body, content type. */
export interface WitnessAnswer {
  status: number;
  body: string;
  contentType: string;
}

const TEXT = 'text/plain; charset=utf-8';
const answer = (status: number, body: string, contentType = TEXT): WitnessAnswer => ({ status, body, contentType });

/** The witness: its key, name, logs and state, and the add-checkpoint checks of the spec, in its order. */
export class Witness {
  readonly vkey: string;
  private readonly logs: Map<string, NoteVerifierKey>;

  constructor(
    private readonly state: WitnessState,
    private readonly key: SigningKey,
    readonly name: string,
    logs: WitnessLog[],
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.vkey = formatVerifierKey(name, key.publicKeyRaw);
    this.logs = new Map(logs.map((l) => [l.origin, parseLogKey(l.origin, l.key)]));
  }

  /**
   * `POST /add-checkpoint`: 400 malformed, 404 unknown origin, 403 no (or a bad) log signature, 409
   * with the witness's size when the old size is not it, 422 when the proof or an equal-size root
   * disagrees, else 200 with the cosignature line — persisted before it is answered.
   *
   * @example
   * witness.addCheckpoint(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: note })).status // 200
   */
  addCheckpoint(body: string): WitnessAnswer {
    let req: ReturnType<typeof parseAddCheckpoint>;
    try {
      req = parseAddCheckpoint(body);
    } catch (e) {
      return answer(400, `${(e as Error).message}\n`);
    }
    const origin = req.checkpoint.slice(0, req.checkpoint.indexOf('\n'));
    const log = this.logs.get(origin);
    if (!log) return answer(404, `unknown log origin ${JSON.stringify(origin)}\n`);
    const signed = this.logSignature(req.checkpoint, log);
    if (signed) return answer(403, `${signed}\n`);
    let cp: ReturnType<typeof openCheckpoint>;
    try {
      cp = openCheckpoint(req.checkpoint, origin, log.publicKey);
    } catch (e) {
      return answer(400, `${(e as Error).message}\n`);
    }
    if (req.oldSize > cp.size) return answer(400, `old size ${req.oldSize} is beyond the checkpoint size ${cp.size}\n`);
    const root = base64ToBytes(cp.rootHash);
    const text = splitNote(req.checkpoint).text;
    return this.state.atomically(() => {
      const stored = this.state.latest(origin) ?? { size: 0, root: emptyRoot(), note: '' };
      if (req.oldSize !== stored.size) return answer(409, `${stored.size}\n`, 'text/x.tlog.size');
      const bad = consistencyProblem(req.oldSize, req.proof, stored, cp.size, root);
      if (bad) return answer(422, `${bad}\n`);
      const line = cosignCheckpoint(text, this.name, this.key, this.now());
      const cosigned: LatestCheckpoint = { size: cp.size, root, note: `${req.checkpoint}${line}` };
      this.state.record(origin, cosigned);
      return answer(200, line);
    });
  }

  /** `GET /<sha256 hex of origin>/checkpoint`: the latest cosigned checkpoint (monitoring). */
  checkpointFor(originHash: string): WitnessAnswer {
    for (const origin of this.logs.keys()) {
      if (createHash('sha256').update(origin).digest('hex') !== originHash) continue;
      const latest = this.state.latest(origin);
      return latest ? answer(200, latest.note) : answer(404, 'never cosigned a checkpoint of this log\n');
    }
    return answer(404, 'unknown log\n');
  }

  /**
   * Why the note is not signed by the log: no valid signature by its key, or a line with its name and
   * key id that does not verify (signed-note: such a note is malformed).
   */
  private logSignature(note: string, log: NoteVerifierKey): string | undefined {
    let parts: ReturnType<typeof splitNote>;
    try {
      parts = splitNote(note);
    } catch {
      return 'the checkpoint has no signature block';
    }
    let good = 0;
    for (const s of parts.signatures) {
      if (s.name !== log.name || s.blob.length < 4 || !equalBytes(s.blob.subarray(0, 4), log.keyId)) continue;
      if (s.blob.length !== 68 || !verifyBytes(log.publicKey, parts.text, s.blob.subarray(4))) {
        return 'a signature by the log key does not verify';
      }
      good += 1;
    }
    return good > 0 ? undefined : 'no signature by the log key';
  }
}

/** Why a checkpoint does not extend the stored one (tlog-witness's 422 cases), or undefined. */
function consistencyProblem(
  oldSize: number,
  proof: Uint8Array[],
  stored: LatestCheckpoint,
  size: number,
  root: Uint8Array,
): string | undefined {
  if (size === 0 && !equalBytes(root, emptyRoot())) return 'a checkpoint of size 0 must have the empty root';
  if (oldSize === 0) return proof.length > 0 ? 'a proof from size 0 must be empty' : undefined;
  try {
    verifyConsistency(oldSize, size, proof, stored.root, root);
    return undefined;
  } catch (e) {
    if (e instanceof MerkleError) return `inconsistent with the checkpoint of size ${oldSize}: ${e.message}`;
    throw e;
  }
}

/** Request bodies are a checkpoint and at most 63 hashes: far below this. */
const MAX_BODY = 64 * 1024;

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function handler(witness: Witness, onError: (e: unknown) => void) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const send = (a: WitnessAnswer) => {
      res.writeHead(a.status, { 'content-type': a.contentType, 'content-length': Buffer.byteLength(a.body) });
      res.end(a.body);
    };
    try {
      const path = (req.url ?? '/').split('?')[0] as string;
      const monitor = /^\/([0-9a-f]{64})\/checkpoint$/.exec(path);
      if (path === '/add-checkpoint' && req.method === 'POST') {
        const body = await readBody(req);
        send(body === undefined ? answer(413, 'request body too large\n') : witness.addCheckpoint(body));
      } else if (monitor && req.method === 'GET') send(witness.checkpointFor(monitor[1] as string));
      else if (path === '/add-checkpoint' || monitor) send(answer(405, 'method not allowed\n'));
      else send(answer(404, 'not found\n'));
    } catch (e) {
      onError(e);
      if (!res.headersSent) send(answer(500, 'internal error\n'));
    }
  };
}

/** The witness's Ed25519 key, `<dataDir>/witness-key.pem` (PKCS#8, 0600), generated on first start. */
export function loadOrCreateWitnessKey(dataDir: string): SigningKey {
  const file = join(dataDir, 'witness-key.pem');
  if (existsSync(file)) return signingKeyFromPem(readFileSync(file, 'utf8'));
  const key = generateSigningKey();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': never overwrite a key another process wrote in the meantime.
    writeFileSync(file, signingKeyToPem(key), { mode: 0o600, flag: 'wx' });
  } catch {
    return signingKeyFromPem(readFileSync(file, 'utf8'));
  }
  return key;
}

/**
 * Makes a (stopped) witness forget a log: its next checkpoint is accepted from `old 0`, as on first
 * contact. The operator's deliberate acceptance of a rolled-back log; returns the size forgotten.
 *
 * @example
 * forgetWitnessedLog('/var/lib/humanos-witness', 'humanos.ledger/1a2b3c4d') // 1532
 */
export function forgetWitnessedLog(dataDir: string, origin: string): number | undefined {
  const state = WitnessState.open(dataDir);
  try {
    return state.forget(origin)?.size;
  } finally {
    state.close();
  }
}

/**
 * Starts a witness: opens (or creates) its state and key in `dataDir`, then listens.
 *
 * @example
 * const w = await startWitness({ dataDir: '/var/lib/witness', logs: [{ origin, key: did }], port: 0 });
 * console.log(w.vkey, w.url); // give the vkey to verifiers, the url and vkey to the log (HUMANOS_WITNESSES)
 */
export async function startWitness(
  opts: WitnessOptions,
  onError: (e: unknown) => void = (e) => console.error(e),
): Promise<RunningWitness> {
  const key = loadOrCreateWitnessKey(opts.dataDir);
  const state = WitnessState.open(opts.dataDir);
  let server: Server | undefined;
  try {
    const fallback = `humanos-witness/${createHash('sha256').update(key.publicKeyRaw).digest('hex').slice(0, 8)}`;
    const witness = new Witness(state, key, state.name(opts.name, fallback), opts.logs, opts.now);
    const srv = createServer({ keepAliveTimeout: 60_000 }, handler(witness, onError));
    server = srv;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const addr = srv.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const close = async () => {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
      state.close();
    };
    return { url: `http://${host}:${addr.port}`, name: witness.name, vkey: witness.vkey, close };
  } catch (e) {
    server?.close();
    state.close();
    throw e;
  }
}
