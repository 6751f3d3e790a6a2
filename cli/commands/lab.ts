// `shoal lab`: a whole cluster of network-namespace hosts on this machine, for tests, demos and
// trying Shoal out. See e2e/lab for how hosts are made and removed, and e2e/README.md.

import type { Command } from 'commander';
import { intInRange, ipv4Cidr, oneOf, type Parser } from '../../shared/config.js';
import { assert, failedPrecondition, invalidArgument, oneLine } from '../../shared/errors.js';
import { DEFAULT_LAB_STATE_DIR, listStateNames } from '../../e2e/lab/state.js';
import { LAB_BUSYBOX_REPOSITORY, LAB_HOSTS_MAX, LAB_MANAGERS_MAX, LAB_NAME_LENGTH_MAX, checkLabName, clusterHostCount, labEnv, shellQuote } from '../../e2e/lab/plan.js';
import { labDown, labExec, labList, labUp, readLab, type LabSummary } from '../../e2e/lab/lab.js';
import { labHeal, labKill, labPartition, labStart } from '../../e2e/lab/faults.js';
import { labJoinManager } from '../../e2e/lab/join.js';
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
/** Hosts of `lab up` without --hosts nor --managers. */
const DEFAULT_HOSTS = 3;

/** How the lab runs its daemons: this very `shoal` (the same node, its flags and bin/shoal.js). */
function shoalCommand(): string[] {
  const script = process.argv[1];
  assert(script !== undefined, 'shoal runs from a script: process.argv[1] names it');
  return [process.execPath, ...process.execArgv, script];
}

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
      { header: 'status', value: (r) => (!r.h.present ? 'missing' : !r.h.linkUp ? 'link down' : r.lab.status) },
      { header: 'roles', value: (r) => r.h.roles.join(',') },
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
    .description('create a lab of N hosts that reach each other over the underlay; with --managers, h1..hN run a manager each; with --workers too, a cluster: an agent on every host and a registry')
    .addOption(option('--hosts <n>', `number of hosts (1 to ${LAB_HOSTS_MAX}; default: --managers, or ${DEFAULT_HOSTS}); not with --workers`, intInRange(1, LAB_HOSTS_MAX)))
    .addOption(option('--managers <n>', `hosts h1..hN run a manager each (1 to ${LAB_MANAGERS_MAX}); returns once all are voters`, intInRange(1, LAB_MANAGERS_MAX)))
    .addOption(
      option(
        '--workers <m>',
        `a cluster: M worker hosts after the managers, an agent on every host (the managers' too) and a registry on the lab's gateway holding ${LAB_BUSYBOX_REPOSITORY}; returns once every node is ready (0 to ${LAB_HOSTS_MAX - 1})`,
        intInRange(0, LAB_HOSTS_MAX - 1),
      ),
    )
    .addOption(nameOption())
    .addOption(option('--subnet <cidr>', 'underlay subnet (default: a free /24 of 198.18.0.0/15)', ipv4Cidr, 'SHOAL_LAB_SUBNET'))
    .action(async (_o: unknown, cmd: Command) => {
      const o = cmd.optsWithGlobals<LabOpts & { hosts?: number; managers?: number; workers?: number; subnet?: { network: string; prefixLength: number } }>();
      if (o.workers !== undefined && o.managers === undefined) throw invalidArgument('config.invalid', "--workers: needs --managers (the workers join the managers' cluster)");
      if (o.workers !== undefined && o.hosts !== undefined) throw invalidArgument('config.invalid', '--hosts: not with --workers (a cluster has --managers + --workers hosts)');
      const hosts = o.workers !== undefined && o.managers !== undefined ? clusterHostCount(o.managers, o.workers) : (o.hosts ?? o.managers ?? DEFAULT_HOSTS);
      if (o.managers !== undefined && o.managers > hosts) {
        throw invalidArgument('config.invalid', `--managers ${o.managers}: more than the ${hosts} hosts of --hosts`);
      }
      requireRoot('lab', 'it creates network namespaces and links');
      const out = ctx.output();
      const state = await labUp({
        name: o.name,
        hosts,
        stateDir: o.stateDir,
        ...(o.managers !== undefined ? { managers: o.managers, shoalCommand: shoalCommand() } : {}),
        ...(o.workers !== undefined ? { workers: o.workers } : {}),
        ...(o.subnet ? { subnet: o.subnet } : {}),
        onProgress: (line) => out.note(line),
      });
      const [summary] = (await labList(o.stateDir)).filter((l) => l.name === state.plan.name);
      if (out.format === 'json') out.object({ ...summary });
      else if (summary) printHosts(out, [summary]);
      if (o.managers !== undefined) out.note(`to use the CLI against it: eval "$(shoal lab env --name ${state.plan.name})"`);
    });

  lab
    .command('env')
    .description("print the shell lines that point the CLI at the lab's managers (and name its registry, SHOAL_REGISTRY): eval \"$(shoal lab env)\"")
    .addOption(nameOption())
    .action(async (_o: unknown, cmd: Command) => {
      const o = opts(cmd);
      const env = labEnv((await readLab(o.stateDir, o.name)).plan, o.stateDir);
      const out = ctx.output();
      if (out.format === 'json') out.object(env);
      else for (const [k, v] of Object.entries(env)) process.stdout.write(`export ${k}=${shellQuote(v)}\n`);
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
    .description("a power loss: the host's underlay link down, then every process of it killed — manager, agent, shim and containers (--signal other than SIGKILL: only signal the host's namespace's processes)")
    .addOption(nameOption())
    .addOption(option('-s, --signal <signal>', 'signal to send', oneOf(SIGNALS), 'SHOAL_LAB_SIGNAL').default('SIGKILL'))
    .argument('<host>', 'host name, e.g. h2')
    .action(async (host: string, _o: unknown, cmd: Command) => {
      requireRoot('lab', 'it signals processes of other users');
      const o = cmd.optsWithGlobals<LabOpts & { signal: NodeJS.Signals }>();
      const r = await labKill(o.stateDir, o.name, host, o.signal);
      const n = r.processes;
      ctx.output().note(`${r.host}: ${r.linkDown ? 'underlay link down, ' : ''}sent ${o.signal} to ${n} process${n === 1 ? '' : 'es'}`);
    });

  lab
    .command('start')
    .description('the reboot after a kill: the host\'s underlay link up and its daemons started again on their data dirs')
    .addOption(nameOption())
    .argument('<host>', 'host name, e.g. h2')
    .action(async (host: string, _o: unknown, cmd: Command) => {
      requireRoot('lab', 'it starts daemons inside network namespaces');
      const o = opts(cmd);
      const r = await labStart(o.stateDir, o.name, host, { shoalCommand: shoalCommand() });
      ctx.output().note(`${r.host}: underlay link up${r.started.length > 0 ? `, ${r.started.join(' and ')} running` : ''}`);
    });

  lab
    .command('join-manager')
    .description("make a host one more manager of the lab's cluster (shoal manager join with the manager token), as freshly installed: its link up, a fresh data dir (an old one is kept beside it); returns once it is a voter")
    .addOption(nameOption())
    .argument('<host>', 'host name, e.g. h4')
    .action(async (host: string, _o: unknown, cmd: Command) => {
      requireRoot('lab', 'it starts daemons inside network namespaces');
      const o = opts(cmd);
      const r = await labJoinManager(o.stateDir, o.name, host, { shoalCommand: shoalCommand() });
      const out = ctx.output();
      if (r.oldDataDirKeptAt !== undefined) out.note(`${r.host}: its old manager data dir kept as ${r.oldDataDirKeptAt}`);
      out.note(`${r.host}: manager joined at ${r.address}`);
    });

  for (const [verb, what, act, done] of [
    ['partition', "cut a host off the underlay (its link down); its processes run on", labPartition, 'underlay link down'],
    ['heal', 'put a partitioned host back on the underlay (its link up)', labHeal, 'underlay link up'],
  ] as const) {
    lab
      .command(verb)
      .description(what)
      .addOption(nameOption())
      .argument('<host>', 'host name, e.g. h2')
      .action(async (host: string, _o: unknown, cmd: Command) => {
        requireRoot('lab', 'it changes links');
        const o = opts(cmd);
        ctx.output().note(`${await act(o.stateDir, o.name, host)}: ${done}`);
      });
  }

  lab
    .command('down')
    .description("remove a lab: its processes and containers, namespaces, links, iptables rules, mounts, cgroups, its registry and its hosts' data dirs")
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
            `${r.removed.iptablesRules.length} iptables rules, ${r.removed.mounts.length} mounts, ${r.processesKilled} processes killed` +
            (r.removed.cgroups.length > 0 ? `, ${r.removed.cgroups.length} cgroups` : ''),
        );
      }
      if (out.format === 'json') out.list(reports, []);
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw failedPrecondition('lab.down_incomplete', failures.map((f) => oneLine(f)).join('; '), { cause: new AggregateError(failures) });
    });
}
