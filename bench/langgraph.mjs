#!/usr/bin/env node
// The LangGraph side of the comparison in `bench/run.mjs lifecycle`: LangGraph.js's own
// human-in-the-loop pattern with its durable SQLite checkpointer, in this process (no HTTP, which
// favours LangGraph). One cycle = the same unit as one HumanOS lifecycle: a node proposes an action
// and pauses on `interrupt()` (checkpointed), the thread is resumed with the human's decision
// (`Command({ resume })`), and the next node executes the approved action and records its result.
//
//   node bench/langgraph.mjs <sqlite file> <seconds> <concurrency> <synchronous: NORMAL|FULL>
//
// Prints one JSON line: { cycles, seconds, synchronous }. `NORMAL` is the checkpointer as shipped
// (WAL with better-sqlite3's default `synchronous=NORMAL`: no fsync per commit, so a power loss can
// drop the latest checkpoints); `FULL` gives it the durability HumanOS runs with (an fsync per commit).
import { performance } from 'node:perf_hooks';
import { Annotation, Command, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';

const [file, secondsArg = '10', concurrencyArg = '16', synchronous = 'NORMAL'] = process.argv.slice(2);
if (!file || !['NORMAL', 'FULL'].includes(synchronous)) {
  console.error('usage: node bench/langgraph.mjs <sqlite file> <seconds> <concurrency> <NORMAL|FULL>');
  process.exit(2);
}
const SECONDS = Number(secondsArg);
const CONCURRENCY = Number(concurrencyArg);

const checkpointer = SqliteSaver.fromConnString(file);
// `fromConnString` has just switched the file to WAL; its connection is the one every put uses.
checkpointer.db.pragma(`synchronous = ${synchronous}`);

const State = Annotation.Root({
  worker: Annotation(),
  decision: Annotation(),
  result: Annotation(),
});
const graph = new StateGraph(State)
  .addNode('propose', (s) => ({
    decision: interrupt({ description: 'Restart the billing worker', payload: { worker: s.worker } }),
  }))
  .addNode('execute', (s) => {
    if (!s.decision?.approved) throw new Error('executed without an approval');
    return { result: { ok: true, worker: s.worker } };
  })
  .addEdge(START, 'propose')
  .addEdge('propose', 'execute')
  .addEdge('execute', END)
  .compile({ checkpointer });

let serial = 0;
async function oneCycle(w) {
  const config = { configurable: { thread_id: `t-${process.pid}-${serial++}` } };
  const paused = await graph.invoke({ worker: w }, config);
  // The pause is real: the run stopped at the interrupt, nothing executed yet.
  if (!paused.__interrupt__?.length || paused.result) throw new Error('the graph did not pause');
  const done = await graph.invoke(new Command({ resume: { approved: true, reason: 'ok' } }), config);
  if (done.result?.ok !== true) throw new Error('the approved action did not run');
}

async function run(seconds) {
  const end = performance.now() + seconds * 1000;
  let cycles = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      while (performance.now() < end) {
        await oneCycle(w);
        cycles += 1;
      }
    }),
  );
  return cycles;
}

await run(1); // warm-up
const cycles = await run(SECONDS);
console.log(JSON.stringify({ cycles, seconds: SECONDS, synchronous }));
