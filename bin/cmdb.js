#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point of the `cmdb` command. `npm ci` is the only step needed before
// `npx cmdb`: the TypeScript sources are bundled on first use (see bundle.js).
// The larger young generation cuts garbage-collection time on big catalogs.
import { loadCli } from './bundle.js';

const main = await loadCli();
process.exitCode = await main(process.argv.slice(2));
