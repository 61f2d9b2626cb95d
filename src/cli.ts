#!/usr/bin/env node
// The CLI's entry point (bin `entra-photos`, built to dist/cli.js).
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2));
