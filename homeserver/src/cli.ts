#!/usr/bin/env node
// The `parley` command. See cli-program.ts for the subcommands and early-start.ts for why
// the embedded Postgres may be launched before anything else loads.
import { earlyEmbeddedStart } from './early-start.js';

const early = earlyEmbeddedStart(process.argv, process.env);
const { runCli } = await import('./cli-program.js');
await runCli(process.argv, early);
