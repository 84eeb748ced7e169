#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point of the `cmdb` command: runs the TypeScript sources through tsx, so
// `npm ci` is the only step needed before `npx cmdb`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
