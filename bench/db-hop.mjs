#!/usr/bin/env node
// A TCP hop in front of PostgreSQL, in its own process, that delays every chunk each way: stands in
// for a database on another host, where each round trip inside the write batch costs network time
// (issue 29). Run by hand beside a benchmark:
//   HOP_DELAY_MS=1 node bench/db-hop.mjs &   # listens on HOP_PORT (15432), forwards to 127.0.0.1:5432
//   BENCH_PG_SERVER=postgres://postgres@127.0.0.1:15432 BENCH_SQLITE=0 node bench/run.mjs lifecycle
// The delay is a timer, so it has the event loop's millisecond resolution: 1 ms each way is a round
// trip of about 2.2 ms (a database in another zone); 0 is the hop alone (about +0.07 ms).
import net from 'node:net';

const delay = Number(process.env.HOP_DELAY_MS ?? 0);
const port = Number(process.env.HOP_PORT ?? 15432);

/** Forwards `from`'s bytes to `to`, each chunk `delay` ms later, in order (timers of equal delay keep their order). */
const forward = (from, to) =>
  from.on('data', (chunk) => (delay > 0 ? setTimeout(() => to.write(chunk), delay) : to.write(chunk)));

net
  .createServer((client) => {
    const db = net.connect(5432, '127.0.0.1');
    client.setNoDelay(true);
    db.setNoDelay(true);
    forward(client, db);
    forward(db, client);
    const end = () => {
      client.destroy();
      db.destroy();
    };
    for (const s of [client, db]) {
      s.on('close', end);
      s.on('error', end);
    }
  })
  .listen(port, '127.0.0.1', () => console.log(`db-hop: 127.0.0.1:${port} → 127.0.0.1:5432, ${delay} ms each way`));
