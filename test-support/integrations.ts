import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** Test doubles of what HumanOS talks to: a webhook receiver, Slack's Web API, an SMTP server. */

async function readBody(req: IncomingMessage): Promise<string> {
  let raw = '';
  req.setEncoding('utf8');
  for await (const c of req) raw += c;
  return raw;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function until(pred: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A webhook receiver on loopback recording every signed POST to /hook. `hang` makes it accept the
 * request and never answer (a receiver that hangs).
 */
export class HookReceiver {
  readonly got: { headers: IncomingHttpHeaders; raw: string; at: number }[] = [];
  hang = false;
  url = '';
  private server: Server | undefined;
  private readonly open = new Set<import('node:http').ServerResponse>();

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const raw = await readBody(req);
      if (req.method !== 'POST' || req.url !== '/hook' || !req.headers['webhook-signature']) {
        res.statusCode = 404;
        res.end();
        return;
      }
      this.got.push({ headers: req.headers, raw, at: Date.now() });
      if (this.hang) {
        this.open.add(res);
        return;
      }
      res.end('ok');
    });
    this.url = `${await listen(this.server)}/hook`;
    return this;
  }

  bodies<T = { type: string; data: { event: { taskId: string | null } } }>(): T[] {
    return this.got.map((g) => JSON.parse(g.raw) as T);
  }

  close(): Promise<void> {
    for (const r of this.open) r.destroy();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** One Web API call Slack received: its method and its JSON (or form) body. */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  auth: string | undefined;
}

/**
 * A local server that speaks Slack's Web API (`POST /api/<method>`), recording every call:
 * chat.postMessage answers with a channel and a fresh `ts`, chat.update and chat.postEphemeral and
 * views.open with `ok: true`. `fail` answers the next calls of a method with an error.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly fail = new Map<string, string>();
  url = '';
  private server: Server | undefined;
  private ts = 1_700_000_000;

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const raw = await readBody(req);
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] as string;
      const type = req.headers['content-type'] ?? '';
      const body = type.includes('json')
        ? (JSON.parse(raw || '{}') as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
      for (const k of ['blocks', 'view']) {
        if (typeof body[k] === 'string') body[k] = JSON.parse(body[k] as string);
      }
      this.calls.push({ method, body, auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      const err = this.fail.get(method);
      if (err) return res.end(JSON.stringify({ ok: false, error: err }));
      if (method === 'chat.postMessage') {
        this.ts += 1;
        const channel = String(body.channel).startsWith('U') ? `D${String(body.channel).slice(1)}` : body.channel;
        return res.end(JSON.stringify({ ok: true, channel, ts: `${this.ts}.000100` }));
      }
      res.end(JSON.stringify({ ok: true }));
    });
    this.url = `${await listen(this.server)}/api/`;
    return this;
  }

  of(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * Signs a request body exactly as Slack does: `v0=` hex HMAC-SHA256 of `v0:<timestamp>:<body>` with
 * the app's signing secret, in `x-slack-signature`, and the timestamp in `x-slack-request-timestamp`.
 */
export function slackHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': sig,
  };
}

/** A real SMTP server in the test process; every accepted message is parsed with mailparser. */
export class SmtpSink {
  readonly mails: ParsedMail[] = [];
  /** While true, every recipient is refused with a temporary failure (451). */
  reject = false;
  rejected = 0;
  url = '';
  private server: SMTPServer | undefined;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (_addr, _session, cb) => {
        if (!this.reject) return cb();
        this.rejected++;
        cb(Object.assign(new Error('try again later'), { responseCode: 451 }));
      },
      onData: (stream, _session, cb) => {
        simpleParser(stream)
          .then((m) => {
            this.mails.push(m);
            cb();
          })
          .catch(cb);
      },
    });
    const server = this.server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    return this;
  }

  to(address: string): ParsedMail[] {
    return this.mails.filter((m) => JSON.stringify(m.to).includes(address));
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export const SIGNING_SECRET = 'slack-signing-secret-for-tests';
export const PUBLIC_URL = 'https://humanos.test';

/** Settings that turn both channels on, against the local Slack and SMTP doubles. */
export function channelEnv(slack: FakeSlack, smtp: SmtpSink): Record<string, string> {
  return {
    HUMANOS_PUBLIC_URL: PUBLIC_URL,
    HUMANOS_SLACK_BOT_TOKEN: 'xoxb-test-token',
    HUMANOS_SLACK_SIGNING_SECRET: SIGNING_SECRET,
    HUMANOS_SLACK_API_URL: slack.url,
    HUMANOS_SMTP_URL: smtp.url,
    HUMANOS_EMAIL_FROM: 'HumanOS <humanos@example.com>',
  };
}
