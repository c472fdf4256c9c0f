#!/usr/bin/env node
import { defaultIo, runCli } from './index.js';

const argv = process.argv.slice(2);
const code = await runCli(argv, defaultIo());
// `serve` keeps running; every other command ends with its exit code.
if (argv[0] !== 'serve') process.exitCode = code;
