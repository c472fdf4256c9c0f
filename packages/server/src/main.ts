#!/usr/bin/env node
import { runServerMain } from './run.js';

void runServerMain(process.argv.slice(2));
