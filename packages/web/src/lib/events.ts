/**
 * Live updates: the server's SSE feed (`GET /events`) read over fetch, because EventSource cannot
 * send the Authorization header. Resumes after a drop from the last event id; a 401 ends the session.
 */
import { API, authHeaders, sessionEnded, signedInAny } from './api.js';

export interface LedgerEvent {
  index: number;
  type: string;
  taskId: string | null;
  approvalId?: string | null;
}

/** Streams events after the current checkpoint to `onEvent` until `signal` aborts. */
export async function listen(onEvent: (e: LedgerEvent) => void, signal: AbortSignal): Promise<void> {
  let lastId = '';
  try {
    const cp = await fetch(`${API}/ledger/checkpoint`, { signal });
    if (cp.ok) lastId = String(((await cp.json()) as { size: number }).size - 1);
  } catch {
    // an empty ledger has no checkpoint: stream from the start
  }
  while (!signal.aborted && signedInAny()) {
    try {
      const res = await fetch(`${API}/events`, {
        headers: { ...authHeaders(), ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal,
      });
      if (res.status === 401) return sessionEnded();
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) lastId = line.slice(4);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) onEvent({ index: Number(lastId), ...(JSON.parse(data) as Omit<LedgerEvent, 'index'>) });
        }
      }
      // The server ends the stream when the token stops working: check before reconnecting.
      const me = await fetch(`${API}/me`, { headers: authHeaders(), signal });
      if (me.status === 401) return sessionEnded();
    } catch {
      if (signal.aborted) return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
