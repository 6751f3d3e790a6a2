// `shoal lab`: a whole cluster of network-namespace hosts on this machine, for tests, demos and
// trying Shoal out. See e2e/lab for how hosts are made and removed.

import type { Command } from 'commander';
import { intInRange, ipv4Cidr, oneOf, type Parser } from '../../shared/config.js';
import { failedPrecondition, invalidArgument, oneLine } from '../../shared/errors.js';
import { DEFAULT_LAB_STATE_DIR, listStateNames } from '../../e2e/lab/state.js';
import { LAB_HOSTS_MAX, LAB_NAME_LENGTH_MAX, checkLabName } from '../../e2e/lab/plan.js';
import { labDown, labExec, labKill, labList, labUp, type LabSummary } from '../../e2e/lab/lab.js';
import { requireRoot, type CliContext } from '../context.js';
import { option } from '../../shared/cli-option.js';
import type { Output } from '../output.js';

const DEFAULT_LAB_NAME = 'lab';
const labName: Parser<string> = (raw, what) => {
  try {
    return checkLabName(raw);
  } catch (err) {
    throw invalidArgument('config.invalid', `${what}: ${(err as Error).message.replace(/^lab name /, '')}`);
  }
};
const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGSTOP', 'SIGCONT'] as const;

interface LabOpts {
  name: string;
  stateDir: string;
}

function nameOption() {
  return option('-n, --name <lab>', `lab name (1 to ${LAB_NAME_LENGTH_MAX} lowercase letters and digits)`, labName, 'SHOAL_LAB').default(DEFAULT_LAB_NAME);
}

function printHosts(out: Output, labs: readonly LabSummary[]): void {
  const rows = labs.flatMap((lab) => lab.hosts.map((h) => ({ lab, h })));
  out.list(
    rows,
    [
      { header: 'lab', value: (r) => r.lab.name },
      { header: 'host', value: (r) => r.h.name },
      { header: 'address', value: (r) => r.h.address },
      { header: 'netns', value: (r) => r.h.netns },
      { header: 'status', value: (r) => (r.h.present ? r.lab.status : 'missing') },
    ],
    () => undefined,
  );
}

export function registerLab(program: Command, ctx: CliContext): void {
  const lab = program
    .command('lab')
    .description('lab hosts on this machine: network namespaces on an underlay bridge (root)')
    .addOption(option('--state-dir <dir>', 'where lab state files live', undefined, 'SHOAL_LAB_STATE_DIR').default(DEFAULT_LAB_STATE_DIR));

  const opts = (cmd: Command): LabOpts => cmd.optsWithGlobals<LabOpts>();

  lab
    .command('up')
    .description('create a lab of N hosts that reach each other over the underlay')
    .addOption(option('--hosts <n>', `number of hosts (1 to ${LAB_HOSTS_MAX})`, intInRange(1, LAB_HOSTS_MAX)).default(3))
    .addOption(nameOption())
    .addOption(option('--subnet <cidr>', 'underlay subnet (default: a free /24 of 198.18.0.0/15)', ipv4Cidr, 'SHOAL_LAB_SUBNET'))
    .action(async (_o: unknown, cmd: Command) => {
      requireRoot('lab', 'it creates network namespaces and links');
      const o = cmd.optsWithGlobals<LabOpts & { hosts: number; subnet?: { network: string; prefixLength: number } }>();
      const out = ctx.output();
      const state = await labUp({
        name: o.name,
        hosts: o.hosts,
        stateDir: o.stateDir,
        ...(o.subnet ? { subnet: o.subnet } : {}),
        onProgress: (line) => out.note(line),
      });
      const [summary] = (await labList(o.stateDir)).filter((l) => l.name === state.plan.name);
      if (out.format === 'json') out.object({ ...summary });
      else if (summary) printHosts(out, [summary]);
    });

  lab
    .command('ls')
    .description('list labs and their hosts')
    .addOption(option('-n, --name <lab>', 'only this lab', labName, 'SHOAL_LAB_FILTER'))
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<{ stateDir: string; name?: string }>();
      const labs = (await labList(o.stateDir)).filter((l) => o.name === undefined || l.name === o.name);
      const out = ctx.output();
      if (out.format === 'json') out.list(labs, []);
      else printHosts(out, labs);
    });

  lab
    .command('exec')
    .description('run a command inside a lab host: shoal lab exec h1 -- ping -c1 198.18.0.3')
    .addOption(nameOption())
    .argument('<host>', 'host name, e.g. h1')
    .argument('<command...>', 'the command and its arguments, after --')
    .action(async (host: string, argv: string[], _o: unknown, cmd: Command) => {
      requireRoot('lab', 'it enters network namespaces');
      const o = opts(cmd);
      ctx.exitCode = await labExec(o.stateDir, o.name, host, argv);
    });

  lab
    .command('kill')
    .description('kill every process of a lab host, as if the machine died')
    .addOption(nameOption())
    .addOption(option('-s, --signal <signal>', 'signal to send', oneOf(SIGNALS), 'SHOAL_LAB_SIGNAL').default('SIGKILL'))
    .argument('<host>', 'host name, e.g. h2')
    .action(async (host: string, _o: unknown, cmd: Command) => {
      requireRoot('lab', 'it signals processes of other users');
      const o = cmd.optsWithGlobals<LabOpts & { signal: NodeJS.Signals }>();
      const n = await labKill(o.stateDir, o.name, host, o.signal);
      ctx.output().note(`${host}: sent ${o.signal} to ${n} process${n === 1 ? '' : 'es'}`);
    });

  lab
    .command('down')
    .description('remove a lab: its processes, namespaces, links and iptables rules')
    .addOption(nameOption())
    .option('--all', 'remove every lab')
    .action(async (_o: unknown, cmd: Command) => {
      requireRoot('lab', 'it removes network namespaces and links');
      const o = cmd.optsWithGlobals<LabOpts & { all?: boolean }>();
      // --all: every state file, readable or not, so that a damaged one goes too.
      const names = o.all === true ? await listStateNames(o.stateDir) : [o.name];
      const out = ctx.output();
      const reports = [];
      const failures: unknown[] = [];
      // Every lab is tried; the failures come together at the end.
      for (const name of names) {
        let r;
        try {
          r = await labDown({ name, stateDir: o.stateDir, ifExists: o.all === true });
        } catch (err) {
          failures.push(err);
          continue;
        }
        reports.push(r);
        for (const w of r.warnings) process.stderr.write(`shoal: warning: lab ${name}: ${w}\n`);
        out.note(
          `lab ${name} removed: ${r.removed.netns.length} hosts, ${r.removed.links.length} links, ` +
            `${r.removed.iptablesRules.length} iptables rules, ${r.processesKilled} processes killed`,
        );
      }
      if (out.format === 'json') out.list(reports, []);
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw failedPrecondition('lab.down_incomplete', failures.map((f) => oneLine(f)).join('; '), { cause: new AggregateError(failures) });
    });
}
