import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test-support/harness.js';
import { humanos } from './run.js';

/**
 * `humanos ledger verify --file` on the passkey vectors (testdata/passkey): the honest log verifies;
 * each tampered one fails (exit 7) naming the entry and the passkey check, in text and in `--json`.
 */
const DIR = join(REPO_ROOT, 'testdata/passkey');
const tmp = mkdtempSync(join(tmpdir(), 'humanos-pk-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('humanos ledger verify on passkey-signed decisions', () => {
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.json'))) {
    it(f, async () => {
      const v = JSON.parse(readFileSync(join(DIR, f), 'utf8'));
      const file = join(tmp, f.replace(/\.json$/, '.jsonl'));
      writeFileSync(file, `${v.lines.map((l: unknown) => JSON.stringify(l)).join('\n')}\n`);
      const json = await humanos(['ledger', 'verify', '--file', file, '--json'], {});
      const report = JSON.parse(json.stdout);
      expect(report.ok).toBe(v.expected.ok);
      if (v.expected.ok) {
        expect(json.code).toBe(0);
        return;
      }
      expect(json.code).toBe(7);
      expect({ index: report.firstBadIndex, check: report.check }).toEqual({
        index: v.expected.index,
        check: v.expected.check,
      });
      // The human-readable line says the same (once: each run starts a process).
      if (v.expected.check !== 'passkey_signature') return;
      const text = await humanos(['ledger', 'verify', '--file', file], {});
      expect(text.stdout).toContain(`FAILED at index ${v.expected.index}: ${v.expected.check}: `);
    });
  }
});
