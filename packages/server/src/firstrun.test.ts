import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Api, backends, createBackend, spawnServer } from '../../../test-support/harness.js';

const mode = (path: string) => statSync(path).mode & 0o777;

function busyPort(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server }));
  });
}

/**
 * First start of a fresh install: a start that cannot bind creates nothing and names PORT; the
 * admin's generated token goes to a 0600 file in the data directory (said on stderr, never in the
 * log), survives later starts, and a HUMANOS_ADMIN_TOKEN that no longer applies is warned about.
 * The data directory is 0700 and its files 0600.
 */
for (const backend of backends()) {
  describe(`first run [${backend}]`, () => {
    it('a busy port names PORT and loses nothing; the generated token is kept in a private file', async () => {
      const b = await createBackend(backend);
      const dataDir = join(tmpdir(), `humanos-first-${randomBytes(4).toString('hex')}`, 'data');
      const env = { ...b.env, HUMANOS_DATA_DIR: dataDir, HUMANOS_ADMIN_TOKEN: '' };
      const tokenFile = join(dataDir, 'admin-token');
      const busy = await busyPort();
      try {
        const failed = await spawnServer({ ...env, PORT: String(busy.port) }).then(
          () => 'started',
          (e: Error) => e.message,
        );
        expect(failed).toMatch(/cannot start: PORT: 127\.0\.0\.1:\d+ is already in use \(EADDRINUSE\)/);
        expect(existsSync(tokenFile)).toBe(false);

        const first = await spawnServer(env);
        const token = readFileSync(tokenFile, 'utf8').trim();
        try {
          // stderr (the notice) and stdout (the listening line) are two pipes: their order is not fixed.
          await expect
            .poll(() => first.output(), { timeout: 3000 })
            .toContain(`created did:human:admin. Its token is in ${tokenFile}`);
          expect(first.output()).not.toContain(token);
          const me = await new Api(first.url, token).get('/me');
          expect(me.status).toBe(200);
          expect(me.body.id).toBe('did:human:admin');
          expect(mode(dataDir)).toBe(0o700);
          expect(mode(tokenFile)).toBe(0o600);
          expect(mode(join(dataDir, 'signing-key.pem'))).toBe(0o600);
          if (backend === 'sqlite') {
            for (const f of ['humanos.db', 'humanos.db-wal', 'humanos.db-shm']) {
              if (existsSync(join(dataDir, f))) expect(mode(join(dataDir, f)), f).toBe(0o600);
            }
          }
        } finally {
          await first.kill('SIGTERM');
        }

        const second = await spawnServer(env);
        try {
          await expect
            .poll(() => second.output(), { timeout: 3000 })
            .toContain(`the token of did:human:admin is still in ${tokenFile}`);
          expect((await new Api(second.url, token).get('/me')).body.id).toBe('did:human:admin');
        } finally {
          await second.kill('SIGTERM');
        }

        const third = await spawnServer({ ...env, HUMANOS_ADMIN_TOKEN: 'another-token-0123456789abcdef' });
        try {
          await expect
            .poll(() => third.output(), { timeout: 3000 })
            .toMatch(/HUMANOS_ADMIN_TOKEN is set but did:human:admin already exists/);
          expect((await new Api(third.url, 'another-token-0123456789abcdef').get('/me')).status).toBe(401);
        } finally {
          await third.kill('SIGTERM');
        }
      } finally {
        busy.server.close();
        await b.drop();
      }
    });

    it('an address that is not local names HOST', async () => {
      const b = await createBackend(backend);
      try {
        const failed = await spawnServer({ ...b.env, HOST: '203.0.113.7' }).then(
          () => 'started',
          (e: Error) => e.message,
        );
        expect(failed).toMatch(/cannot start: HOST: cannot listen on 203\.0\.113\.7:0/);
      } finally {
        await b.drop();
      }
    });
  });
}
