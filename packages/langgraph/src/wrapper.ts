/** `approvals.tool(t)`: a tool whose every call goes through HumanOS before it runs. */
import type { ToolMessage } from '@langchain/core/messages';
import { type StructuredToolInterface, type ToolRunnableConfig, tool } from '@langchain/core/tools';
import type { Command } from '@langchain/langgraph';
import type { JsonObject } from './graph.js';
import type { RunTool, ToolCallLike } from './tools.js';

/** Decides about one call: pauses, then runs it (`run`) or answers why not. */
export type Gate = (call: ToolCallLike, run: RunTool, state: unknown) => Promise<ToolMessage | Command>;

/** What `ToolNode` passes a tool besides the config: the call's id and the graph state. */
type ToolRuntimeConfig = ToolRunnableConfig & { toolCallId?: string; state?: unknown };

/**
 * The tool under the same name, description and schema; `ToolNode` calls it with the model's tool
 * call, the gate pauses for the human, and the inner tool runs with the approved arguments.
 *
 * @example
 * const gated = gatedTool(wire, (call, run) => gateToolCall(client, call, run));
 */
export function gatedTool(inner: StructuredToolInterface, gate: Gate): StructuredToolInterface {
  const fn = async (args: JsonObject, config: ToolRuntimeConfig): Promise<ToolMessage | Command> => {
    const id = config.toolCall?.id ?? config.toolCallId;
    if (!id)
      throw new TypeError(`${inner.name} needs approval per call: run it from a ToolNode (a tool call with an id)`);
    const run: RunTool = (approved) =>
      inner.invoke({ name: inner.name, args: approved, id, type: 'tool_call' }, config) as Promise<
        ToolMessage | Command
      >;
    return gate({ name: inner.name, args, id }, run, config.state);
  };
  // `tool()`'s overloads are typed per schema kind; the inner tool's schema is passed through as is.
  const make = tool as unknown as (
    f: typeof fn,
    fields: { name: string; description: string; schema: unknown },
  ) => StructuredToolInterface;
  return make(fn, { name: inner.name, description: inner.description, schema: inner.schema });
}
