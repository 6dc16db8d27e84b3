#!/usr/bin/env node
// Entry point of the `activegroups` command (npx activegroups analyze …). The sources are
// TypeScript; tsx compiles them on the fly so the command works on a fresh clone without a build.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/activegroups.ts');
process.exitCode = await main(process.argv.slice(2));
