// A HumanOS worker: claims approved tasks its capabilities cover and runs them.
//   HUMANOS_URL=… HUMANOS_API_KEY=<token of a principal with the executor role> npx tsx examples/worker.ts accounting
import { HumanOSClient, Worker } from '@human/sdk';

const capabilities = process.argv.slice(2);
const hang = process.env.WORKER_HANG === '1'; // for the crash test: never finish
const worker = new Worker(new HumanOSClient(), {
  capabilities,
  leaseSeconds: Number(process.env.WORKER_LEASE_SECONDS ?? 60),
  handler: async (payload, ctx) => {
    console.log(
      `running ${ctx.execution.taskId} (execution ${ctx.execution.executionId}, attempt ${ctx.execution.attempt})`,
    );
    if (hang) await new Promise(() => {});
    return { processed: payload };
  },
  onError: (e) => console.error(e),
});
worker.start();
process.once('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
