/** A fake `fetch` for the SDK's unit tests: answers each call with the next step and records it. */
export interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Step = Response | Error | ((call: Call) => Response | Promise<Response>);

/** A fetch that answers each call with the next step and records what it was sent. */
export function fakeFetch(steps: Step[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const call: Call = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const step = steps.shift();
    if (step === undefined) throw new Error(`unexpected call ${call.method} ${call.url}`);
    if (step instanceof Error) throw step;
    return typeof step === 'function' ? step(call) : step;
  };
  return { fetch: impl as typeof fetch, calls };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
export const problem = (status: number, code: string, headers: Record<string, string> = {}, extra = {}) =>
  json(
    status,
    { type: `urn:humanos:problem:${code}`, title: code, status, code, detail: `${code} detail`, ...extra },
    {
      'content-type': 'application/problem+json',
      ...headers,
    },
  );
