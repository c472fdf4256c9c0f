#!/usr/bin/env node
// The risk corpus benchmark: rates every labelled agent action of testdata/risk-corpus/ as task
// creation does (`assessTask`: the built-in rules, raised one level when the text disagrees with the
// payload) and prints the confusion matrix (expected × rated), per-category accuracy, and the cases
// that must never be low. Run by hand: `npm run build && node bench/risk.mjs [--misses]`. The same
// corpus runs in CI as packages/core/test/risk.corpus.test.ts with a threshold.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assessTask, RISK_LEVELS } from '@humanos/core';

const CORPUS = join(import.meta.dirname, '..', 'testdata', 'risk-corpus', 'actions.jsonl');
const cases = readFileSync(CORPUS, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l));

const rated = cases.map((c) => {
  const { risk, warnings } = assessTask({
    description: c.description,
    requiredCapabilities: c.capabilities,
    payload: c.payload,
  });
  return { ...c, rated: risk.level, factors: risk.factors, warnings: warnings.length };
});

const pad = (s, n) => String(s).padStart(n);
console.log(`risk corpus: ${rated.length} actions (${CORPUS})\n`);
console.log(`expected \\ rated | ${RISK_LEVELS.map((l) => pad(l, 8)).join(' ')} | total`);
console.log(`---------------- | ${RISK_LEVELS.map(() => '--------').join(' ')} | -----`);
for (const e of RISK_LEVELS) {
  const row = RISK_LEVELS.map((r) => rated.filter((c) => c.expected === e && c.rated === r).length);
  console.log(
    `${e.padEnd(16)} | ${row.map((n) => pad(n, 8)).join(' ')} | ${pad(
      row.reduce((a, b) => a + b, 0),
      5,
    )}`,
  );
}
const exact = rated.filter((c) => c.expected === c.rated).length;
const rank = (l) => RISK_LEVELS.indexOf(l);
const under = rated.filter((c) => rank(c.rated) < rank(c.expected)).length;
const over = rated.filter((c) => rank(c.rated) > rank(c.expected)).length;
console.log(
  `\naccuracy ${exact}/${rated.length} = ${((100 * exact) / rated.length).toFixed(1)} %; rated lower than expected ${under}, higher ${over}`,
);
for (const cat of [...new Set(rated.map((c) => c.category))]) {
  const of = rated.filter((c) => c.category === cat);
  const ok = of.filter((c) => c.expected === c.rated).length;
  console.log(`  ${cat.padEnd(15)} ${ok}/${of.length} = ${((100 * ok) / of.length).toFixed(1)} %`);
}
const mustNotBeLow = rated.filter((c) => c.destructiveInProduction || c.movesMoney);
const low = mustNotBeLow.filter((c) => c.rated === 'low');
console.log(`\ndestructive-in-production or money-moving: ${mustNotBeLow.length}, rated low: ${low.length}`);
for (const c of low) console.log(`  LOW: ${c.id} ${c.description}`);
console.log(`with a text/payload warning: ${rated.filter((c) => c.warnings > 0).length}`);
if (process.argv.includes('--misses')) {
  console.log('\nmisses (id, expected → rated, factors):');
  for (const c of rated.filter((x) => x.expected !== x.rated))
    console.log(`  ${c.id} ${c.expected} → ${c.rated} [${c.factors.join(', ')}] ${c.description}`);
}
