#!/usr/bin/env node
// The `parley` command. See cli-program.ts for the subcommands and early-start.ts for why
// the embedded Postgres may be launched before anything else loads.
import { earlyEmbeddedStart } from './early-start.js';
import { loadCliProgram } from './load-cli-program.js';

const early = earlyEmbeddedStart(process.argv, process.env);
// Loading the server blocks this thread for a while: let Postgres be spawned first.
await early?.launched;
const { runCli } = await loadCliProgram();
await runCli(process.argv, early);
