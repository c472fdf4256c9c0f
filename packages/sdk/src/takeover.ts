/**
 * How a running execution learns within a second that a human took over: it follows the server's
 * event stream (`GET /v1/humanos/events`, server-sent events from the ledger) from the grant's
 * checkpoint on, and a `task.overridden` entry for its task with `continueExecution: false` stops it.
 * Heartbeats stay the fallback: when the stream cannot be opened or drops, the next heartbeat's 409
 * `task_overridden` stops the handler as before.
 */
import type { LedgerEntryType } from '@humanos/core';
import { HumanOSApiError } from './errors.js';
import { sleep, type Transport } from './transport.js';

/** The ledger event of a takeover: the stream's `event:` for it. */
export const TAKEOVER_EVENT = 'task.overridden' satisfies LedgerEntryType;

/** One server-sent event as the stream frames it. */
export interface StreamEvent {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/**
 * Splits SSE text into complete events; returns them and the unparsed rest.
 *
 * @example
 * parseEvents('id: 7\nevent: task.overridden\ndata: {}\n\nid: 8') // { events: [{ id: '7', … }], rest: 'id: 8' }
 */
export function parseEvents(buffer: string): { events: StreamEvent[]; rest: string } {
  const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: StreamEvent[] = [];
  for (const block of blocks) {
    const ev: StreamEvent = { id: undefined, event: undefined, data: '' };
    let hasData = false;
    for (const line of block.split('\n')) {
      const at = line.indexOf(':');
      if (at === 0) continue; // a comment (keep-alive)
      const field = at < 0 ? line : line.slice(0, at);
      const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
      if (field === 'id') ev.id = value;
      else if (field === 'event') ev.event = value;
      else if (field === 'data') {
        ev.data = hasData ? `${ev.data}\n${value}` : value;
        hasData = true;
      }
    }
    if (hasData) events.push(ev);
  }
  return { events, rest };
}

/** True when the event is a takeover of `taskId` that stops the AI (`continueExecution: false`). */
export function isTakeover(ev: StreamEvent, taskId: string): { overriddenBy: string } | undefined {
  if (ev.event !== TAKEOVER_EVENT) return undefined;
  try {
    const entry = JSON.parse(ev.data) as { taskId?: string; actor?: string; data?: { continueExecution?: boolean } };
    if (entry.taskId !== taskId || entry.data?.continueExecution !== false) return undefined;
    return { overriddenBy: entry.actor ?? 'a human' };
  } catch {
    return undefined;
  }
}

/**
 * Follows the event stream until `signal` aborts, calling `onTakeover` once when a human takes over
 * `taskId`. Reconnects (with `Last-Event-ID`) after a drop; never throws.
 */
export async function watchTakeover(
  http: Transport,
  taskId: string,
  afterIndex: number,
  signal: AbortSignal,
  onTakeover: (e: HumanOSApiError) => void,
): Promise<void> {
  let last = afterIndex;
  while (!signal.aborted) {
    try {
      const res = await http.openStream(`/v1/humanos/events?after=${last}`, signal);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        // The server is stopping: do not hold it up by reconnecting; heartbeats remain the fallback.
        if (text.includes(': server shutting down')) return;
        const parsed = parseEvents(buffer + text);
        buffer = parsed.rest;
        for (const ev of parsed.events) {
          if (ev.id !== undefined && /^\d+$/.test(ev.id)) last = Number(ev.id);
          const took = isTakeover(ev, taskId);
          if (took) {
            const msg = `a human (${took.overriddenBy}) took over task ${taskId}; stop`;
            onTakeover(new HumanOSApiError('task_overridden', 409, msg));
            await reader.cancel().catch(() => {}); // close the connection now, not when the run ends
            return;
          }
        }
      }
    } catch (e) {
      // The stream is an accelerator: heartbeats still stop the handler. A server that is stopping
      // (503) is left alone; otherwise back off and try again.
      if (e instanceof HumanOSApiError && e.status === 503) return;
    }
    await sleep(1000, signal).catch(() => {});
  }
}
