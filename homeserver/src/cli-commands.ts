// Further `parley` subcommands (admin tasks), registered on the main program.
import type { Command } from 'commander';
import type { ResolvedConfig } from './config/load.js';

export function registerCliCommands(_program: Command, _config: () => ResolvedConfig): void {}
