/** Defaults of the Streamable HTTP session limits (the server's `HUMANOS_MCP_*` settings override them). */
export const MCP_SESSION_DEFAULTS = {
  /** A session with no request for this long is closed (5 min: clients re-initialize cheaply). */
  idleSeconds: 300,
  /** Open sessions in one process; more initializations get 503. */
  maxSessions: 1000,
  /** Open sessions one principal may hold; one more initialization gets 429. */
  maxSessionsPerPrincipal: 8,
} as const;

/** What the table needs to know of one session. */
export interface TrackedSession {
  /** The principal that opened it (`GET /me` id), whose cap it counts against. */
  principal: string;
  /** When its last request started or ended, on the table's clock. */
  lastSeen: number;
  /** Requests (and SSE streams) still open: a session with one is never idle. */
  open: number;
}

/** Why a new session may not be opened now, and when trying again can help. */
export type SessionRefusal =
  | { kind: 'principal'; held: number; limit: number; retryAfterSeconds: number }
  | { kind: 'global'; held: number; limit: number; retryAfterSeconds: number };

export interface SessionLimits {
  idleSeconds: number;
  maxSessions: number;
  maxSessionsPerPrincipal: number;
  /** The clock idleness is measured on (ms since the epoch). */
  now: () => number;
}

/**
 * The open MCP sessions of one process and their limits: at most `maxSessionsPerPrincipal` per
 * principal (so one agent cannot take every slot, as 994 sessions in 9 s once did) and
 * `maxSessions` in all; a session idle for `idleSeconds` is reaped. Sessions still being opened
 * (their initialize request not yet answered) count too, so concurrent initializations cannot all
 * slip under a cap. Reaping happens on a timer and, so that a cap never refuses because of sessions
 * that are already dead, before every admission check.
 *
 * @example
 * const table = new SessionTable<Session>({ ...MCP_SESSION_DEFAULTS, now: Date.now }, (s) => void s.server.close());
 * const refusal = table.admit('did:agent:bot'); // undefined: under both caps
 * if (!refusal) table.reserve(session);           // counted until activate(id, session) or drop(session)
 */
export class SessionTable<S extends TrackedSession> {
  private readonly live = new Map<string, S>();
  private readonly opening = new Set<S>();

  constructor(
    readonly limits: SessionLimits,
    private readonly onReap: (session: S) => void,
  ) {}

  get size(): number {
    return this.live.size + this.opening.size;
  }

  private get idleMs(): number {
    return this.limits.idleSeconds * 1000;
  }

  private idle(s: S, now: number): boolean {
    return s.open === 0 && now - s.lastSeen >= this.idleMs;
  }

  /** The live session `id`, or undefined (an idle one is reaped now rather than revived). */
  get(id: string): S | undefined {
    const s = this.live.get(id);
    if (s && this.idle(s, this.limits.now())) {
      this.live.delete(id);
      this.onReap(s);
      return undefined;
    }
    return s;
  }

  /** Whether `principal` may open one more session now; the refusal says which cap and for how long. */
  admit(principal: string): SessionRefusal | undefined {
    this.reap();
    const all = [...this.live.values(), ...this.opening];
    const mine = all.filter((s) => s.principal === principal);
    const { maxSessionsPerPrincipal, maxSessions } = this.limits;
    if (mine.length >= maxSessionsPerPrincipal) {
      return {
        kind: 'principal',
        held: mine.length,
        limit: maxSessionsPerPrincipal,
        retryAfterSeconds: this.soonestExpiry(mine),
      };
    }
    if (all.length >= maxSessions) {
      return { kind: 'global', held: all.length, limit: maxSessions, retryAfterSeconds: this.soonestExpiry(all) };
    }
    return undefined;
  }

  /** Seconds until the first of these sessions can be reaped (the idle lifetime when all are busy). */
  private soonestExpiry(sessions: S[]): number {
    const now = this.limits.now();
    const waits = sessions.filter((s) => s.open === 0).map((s) => s.lastSeen + this.idleMs - now);
    const ms = waits.length ? Math.min(...waits) : this.idleMs;
    return Math.max(1, Math.ceil(ms / 1000));
  }

  /** Holds a slot for a session whose initialize request is being answered. */
  reserve(s: S): void {
    this.opening.add(s);
  }

  /** The session got its id: it is live. */
  activate(id: string, s: S): void {
    this.opening.delete(s);
    this.live.set(id, s);
  }

  /** Forgets a session (closed by its client, by its transport, or never initialized). */
  drop(s: S, id?: string): void {
    this.opening.delete(s);
    if (id !== undefined && this.live.get(id) === s) this.live.delete(id);
  }

  /** Closes every session idle for the idle lifetime. */
  reap(): void {
    const now = this.limits.now();
    for (const [id, s] of this.live) {
      if (this.idle(s, now)) {
        this.live.delete(id);
        this.onReap(s);
      }
    }
  }

  /** Every session, removed from the table (on shutdown). */
  takeAll(): S[] {
    const all = [...this.live.values(), ...this.opening];
    this.live.clear();
    this.opening.clear();
    return all;
  }
}
