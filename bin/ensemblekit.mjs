#!/usr/bin/env node
// The `ensemblekit` command (package.json "bin"): runs the compiled CLI (lib/cli/main.ts).
import { main } from '../dist/esm/lib/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
