/**
 * A deterministic model for the adapter's tests: each call of the model returns the next scripted
 * list of output items and records the request it was given. No network. (`@openai/agents` 0.15+
 * ships one as `@openai/agents/testing`; the tests run 0.14, the last release whose dependencies
 * support Node 20, so they bring their own.)
 */
import { type AgentOutputItem, type Model, type ModelRequest, type ModelResponse, Usage } from '@openai/agents';

/** An assistant's text answer, as a model returns it. */
export function assistantMessage(text: string): AgentOutputItem {
  return { type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text }] };
}

/** A function call, as a model returns it. */
export function functionCall(
  name: string,
  args: Record<string, unknown>,
  options: { callId: string },
): AgentOutputItem {
  return {
    type: 'function_call',
    name,
    callId: options.callId,
    id: options.callId,
    status: 'completed',
    arguments: JSON.stringify(args),
  };
}

/** A model that answers its n-th call with `steps[n]`, and fails a call it has no step for. */
export class ScriptedModel implements Model {
  readonly #steps: AgentOutputItem[][];
  readonly #calls: ModelRequest[] = [];

  constructor(steps: AgentOutputItem[][]) {
    this.#steps = [...steps];
  }

  /** The last request the model was given. */
  get lastCall(): { request: ModelRequest } | undefined {
    const request = this.#calls.at(-1);
    return request ? { request } : undefined;
  }

  /** Throws when a scripted step was never asked for. */
  assertComplete(): void {
    if (this.#steps.length > 0) throw new Error(`ScriptedModel: ${this.#steps.length} scripted step(s) never used`);
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.#calls.push(structuredClone(request));
    const output = this.#steps.shift();
    if (!output) throw new Error(`ScriptedModel: no step left for call #${this.#calls.length}`);
    return { output, usage: new Usage() };
  }

  // biome-ignore lint/correctness/useYield: streaming is not scripted; a streamed run fails at once.
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('ScriptedModel: streaming is not scripted');
  }
}
