// Loaded (`node --import`) into every process a test starts through `spawnNode` (test-support/harness.ts):
// the test process holds the other end of this process's stdin, so when the test process ends —
// normally, killed, or crashed — the pipe closes and this process exits too. No test leaves a server
// or a worker running behind it.
if (process.env.HUMANOS_TEST_LIFELINE === '1') {
  const die = () => process.exit(137);
  process.stdin.on('end', die);
  process.stdin.on('error', die);
  process.stdin.resume();
  // Do not keep a short-lived script alive just for this.
  process.stdin.unref?.();
}
