/**
 * The entry verifier.browser.test.ts bundles for the browser (Vite, browser conditions, as the
 * console's own build): core's verifier as the console imports it, the console's export driver, and
 * the RFC 6962 runner, put on `globalThis.humanosHarness` for the test to call in Chromium.
 */
import * as core from '@humanos/core/verifier';
import { allVerdicts, type Rfc6962Vectors, referenceMismatches } from '../../../test-support/rfc6962.js';
import { verifyExport } from '../src/lib/ledgerCheck.js';

const harness = {
  vectors: (v: Rfc6962Vectors) => ({ verdicts: allVerdicts(core, v), reference: referenceMismatches(core, v) }),
  verifyExport,
  verifyLedger: (text: string, trustedPublicKey: string) =>
    core.verifyLedger(core.parseLedgerExport(text), { trustedPublicKey }),
  hasBuffer: () => typeof (globalThis as { Buffer?: unknown }).Buffer !== 'undefined',
};

export type Harness = typeof harness;

(globalThis as unknown as { humanosHarness: Harness }).humanosHarness = harness;
