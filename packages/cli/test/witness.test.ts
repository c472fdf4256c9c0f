/**
 * `humanos ledger verify --witness … --witness-quorum k` against a server whose checkpoints a
 * `humanos witness` cosigned: the export passes with the witness's vkey and names the witnessed size,
 * fails (exit 7) with a witness that never cosigned it or a quorum it cannot meet, from a file and
 * from the server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { didKeyFromPublicKey, formatVerifierKey, generateSigningKey, signingKeyToPem } from '@humanos/core';
import { type RunningWitness, startWitness } from '@humanos/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../../../test-support/harness.js';
import { humanos } from './run.js';

const ORIGIN = 'humanos.test/cli-witnessed';

for (const backend of backends()) {
  describe(`humanos ledger verify with a witness policy [${backend}]`, () => {
    let t: TestServer;
    let w: RunningWitness;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'humanos-cli-witness-'));
      const key = generateSigningKey();
      writeFileSync(join(dir, 'log.pem'), signingKeyToPem(key), { mode: 0o600 });
      w = await startWitness({
        dataDir: join(dir, 'witness'),
        logs: [{ origin: ORIGIN, key: didKeyFromPublicKey(key.publicKeyRaw) }],
      });
      t = await startTestServer(backend, {
        HUMANOS_SIGNING_KEY_FILE: join(dir, 'log.pem'),
        HUMANOS_LEDGER_ORIGIN: ORIGIN,
        HUMANOS_WITNESSES: `${w.vkey}=${w.url}`,
      });
      await t.principal('did:human:cli-witness-a', ['ops']);
      await t.principal('did:human:cli-witness-b', ['ops']);
      for (let i = 0; ; i++) {
        const h = (await (await fetch(`${t.url}/healthz`)).json()) as {
          ledgerSize: number;
          witnesses: { cosignedSize: number }[];
        };
        if (h.witnesses[0]?.cosignedSize === h.ledgerSize) break;
        if (i > 400) throw new Error(`not cosigned: ${JSON.stringify(h)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    afterAll(async () => {
      await t?.close();
      await w?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('passes with the witness that cosigned, fails with another or an unmeetable quorum', async () => {
      const env = { HUMANOS_URL: t.url, HUMANOS_API_KEY: t.admin.token as string };
      const file = join(dir, 'ledger.jsonl');
      expect((await humanos(['ledger', 'export', '--out', file], env)).code).toBe(0);
      const size = ((await t.admin.get('/ledger/checkpoint')).body as { size: number }).size;
      const ok = await humanos(['ledger', 'verify', '--file', file, '--witness', w.vkey], env);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`witnessed up to size ${size}`);
      const other = formatVerifierKey('other.test/w', generateSigningKey().publicKeyRaw);
      const bad = await humanos(['ledger', 'verify', '--file', file, '--witness', other, '--json'], env);
      expect(bad.code).toBe(7);
      expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, check: 'witness_policy' });
      const quorum = await humanos(
        ['ledger', 'verify', '--file', file, '--witness', w.vkey, '--witness', other, '--witness-quorum', '2'],
        env,
      );
      expect(quorum.code).toBe(7);
      // From the server (the SDK streams the export), with a quorum of one of the two.
      const live = await humanos(
        ['ledger', 'verify', '--witness', other, '--witness', w.vkey, '--witness-quorum', '1'],
        env,
      );
      expect(live.code).toBe(0);
      expect(live.stdout).toContain('witnessed up to size');
      const usage = await humanos(
        ['ledger', 'verify', '--file', file, '--witness-quorum', 'x', '--witness', w.vkey],
        env,
      );
      expect(usage.code).not.toBe(0);
      expect(usage.stderr).toContain('--witness-quorum');
    });
  });
}
