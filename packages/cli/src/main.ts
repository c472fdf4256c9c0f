#!/usr/bin/env node
import { defaultIo, runCli } from './index.js';

// `serve` resolves once the server listens and keeps running; exitCode only applies when it ends.
process.exitCode = await runCli(process.argv.slice(2), defaultIo());
