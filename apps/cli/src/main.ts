#!/usr/bin/env node
import { Command } from 'commander';
import type { CliSettings } from './gateway-api';
import { agentsCommand } from './agents.command';
import { keysCommand } from './keys.command';
import { modelsCommand } from './models.command';

/** `iir`: the operator's command line, over the gateway's admin API. */
const program = new Command('iir')
  .description('IIR, the Intelligent Inference Router: operator commands')
  .option('--url <url>', 'the gateway (default $IIR_URL or http://localhost:8000)')
  .option('--admin-key <key>', 'an admin key (default $IIR_ADMIN_KEY)')
  .showHelpAfterError();

// A CLI's settings are its flags and environment; there is no service config to validate here.
const settings = (): CliSettings => {
  const o = program.opts<{ url?: string; adminKey?: string }>();
  return { url: o.url ?? process.env['IIR_URL'] ?? 'http://localhost:8000', adminKey: o.adminKey ?? process.env['IIR_ADMIN_KEY'] };
};

program.addCommand(keysCommand(settings, (line) => process.stdout.write(line + '\n')));
program.addCommand(agentsCommand(settings, (line) => process.stdout.write(line + '\n')));
program.addCommand(modelsCommand(settings, (line) => process.stdout.write(line + '\n')));

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`iir: ${(error as Error).message}\n`);
  process.exit(1);
});
