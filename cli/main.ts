// The `shoal` command: one program, areas registered as they arrive (lab now; agent, ctr,
// manager, node, service, run, network with the issues that bring them).
//
// Conventions for every command: human tables by default and `--format json` for machines;
// results on stdout; errors on stderr as ONE line `shoal: <what was wrong>` with exit code 1
// (2 for a command line that could not be parsed).

import { Command, CommanderError } from 'commander';
import type { AreaRegistrar } from '../shared/cli-area.js';
import { oneOf } from '../shared/config.js';
import { ShoalError, oneLine } from '../shared/errors.js';
import { LOG_LEVELS, componentLogger, createLogger, type LogLevel, type Logger } from '../shared/logger.js';
import { registerCluster } from './commands/cluster.js';
import { registerCtr } from './commands/ctr.js';
import { registerEvents } from './commands/events.js';
import { registerLab } from './commands/lab.js';
import { imageSeparated, registerRun } from './commands/run.js';
import { registerContainers } from './commands/containers.js';
import type { CliContext } from './context.js';
import { option } from '../shared/cli-option.js';
import { OUTPUT_FORMATS, createOutput, type OutputFormat } from './output.js';
import { shoalVersion } from '../shared/version.js';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function buildProgram(ctx: CliContext, areas: readonly AreaRegistrar[] = [], stderr: NodeJS.WritableStream = process.stderr): Command {
  const program = new Command('shoal')
    .description('Shoal: a multi-host container cluster manager (managers with Raft, agents with runc, overlay networks)')
    .version(shoalVersion(), '--version', 'print the version')
    .addOption(option('--format <format>', 'output format: table or json', oneOf(OUTPUT_FORMATS)).default('table'))
    .addOption(option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')}`, oneOf(LOG_LEVELS)).default('info'))
    .helpCommand(false)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => stderr.write(s),
      outputError: (s, write) => write(`shoal: ${oneLine(s.replace(/^error: /, ''))}\n`),
    });
  registerLab(program, ctx);
  registerCtr(program, ctx);
  registerCluster(program, ctx);
  registerEvents(program, ctx);
  registerRun(program, ctx);
  registerContainers(program, ctx);
  for (const register of areas) register(program, ctx);
  return program;
}

/**
 * Runs the command line; resolves the process exit code. Never throws. `areas` are the command
 * areas of the daemons (manager/, agent/), handed in by the composition root, bin/shoal.js.
 */
export async function main(argv: readonly string[], areas: readonly AreaRegistrar[] = []): Promise<number> {
  let format: OutputFormat = 'table';
  let logLevel: LogLevel = 'info';
  let rootLogger: Logger | undefined;
  const ctx: CliContext = {
    exitCode: 0,
    output: () => createOutput(format),
    logger: (component) => componentLogger((rootLogger ??= createLogger({ level: logLevel })), component),
  };
  try {
    const program = buildProgram(ctx, areas).hook('preAction', (_program, action) => {
      const opts = action.optsWithGlobals<{ format: OutputFormat; logLevel: LogLevel }>();
      format = opts.format;
      logLevel = opts.logLevel;
    });
    // `shoal run IMAGE sh -c ...`, `shoal exec NAME ls -l`: what follows is the container's, options too.
    await program.parseAsync(imageSeparated(argv));
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end with exit code 0; parse errors were printed by outputError.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    process.stderr.write(`shoal: ${oneLine(err)}\n`);
    if (!(err instanceof ShoalError) && process.env['SHOAL_DEBUG'] === '1') process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return err instanceof ShoalError && err.code === 'config.invalid' ? EXIT_USAGE : EXIT_FAILURE;
  }
}
