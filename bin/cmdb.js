#!/usr/bin/env -S node --max-semi-space-size=32 --min-semi-space-size=32
// Entry point of the `cmdb` command. `npm ci` is the only step needed before
// `npx cmdb`: the TypeScript sources are bundled on first use (see bundle.js).
// A fixed 32 MB young generation: measured best for cold reads of big catalogs (BENCHMARKS.md).
import { loadCli } from './bundle.js';

const main = await loadCli();
process.exitCode = await main(process.argv.slice(2));
