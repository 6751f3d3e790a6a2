// `npm run sim -- --seeds N [--base B]` runs N seeds (B, B+1, ...; B random unless given);
// `npm run sim -- --seed S` replays one seed exactly, with its statistics. `--state-machine kv`
// runs the simulator's own key-value map instead of the real cluster store. A failing seed
// prints the one-line command that replays it. Exit code 1 when any seed fails.

import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { optionsForSeed, runSimulation, type SimOptions, type SimResult } from './sim.js';

function describe(r: SimResult): string {
  const s = r.stats;
  return (
    `${s.ticks} ticks, ${s.messagesSent} messages (${s.messagesDropped} dropped), ${s.crashes} crashes, ` +
    `${s.partitions} partitions, ${s.confChanges} membership changes, ${s.committedEntries} entries committed, ` +
    `${s.termsWithLeader} terms with a leader, ${s.clientOperations} client operations checked for linearizability, ` +
    `voters at the end ${s.finalVoters.join(',')}`
  );
}

function main(): number {
  const { values } = parseArgs({
    options: { seeds: { type: 'string' }, seed: { type: 'string' }, base: { type: 'string' }, trace: { type: 'boolean' }, 'state-machine': { type: 'string' } },
    strict: true,
  });
  const sm = values['state-machine'] ?? 'store';
  if (sm !== 'store' && sm !== 'kv') throw new Error(`--state-machine: ${JSON.stringify(sm)} is not store or kv`);
  const common: Partial<SimOptions> = { stateMachine: sm };
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    if (!Number.isSafeInteger(seed)) throw new Error(`--seed: ${JSON.stringify(values.seed)} is not an integer`);
    const o = optionsForSeed(seed, values.trace === true ? { ...common, trace: (tick, event) => console.log(`  [${tick}] ${event}`) } : common);
    const r = runSimulation(o);
    console.log(`seed ${seed}: ${o.voters} voters, loss ${o.lossRate}, duplication ${o.duplicateRate}, delay ≤ ${o.maxDelayTicks}, crash ${o.crashRate}, partition ${o.partitionRate}, membership ${o.confChangeRate}`);
    console.log(`seed ${seed}: ${r.ok ? 'ok' : `FAILED at tick ${r.failedAtTick}: ${r.failure}`}`);
    console.log(`seed ${seed}: ${describe(r)}`);
    return r.ok ? 0 : 1;
  }
  const count = Number(values.seeds ?? '100');
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`--seeds: ${JSON.stringify(values.seeds)} is not a positive integer`);
  const base = values.base !== undefined ? Number(values.base) : randomInt(1, 2 ** 40);
  const started = performance.now();
  let failed = 0;
  let committed = 0;
  for (let seed = base; seed < base + count; seed++) {
    const r = runSimulation(optionsForSeed(seed, common));
    committed += r.stats.committedEntries;
    if (!r.ok) {
      failed++;
      console.log(`seed ${seed}: FAILED at tick ${r.failedAtTick}: ${r.failure}`);
      console.log(`  replay: npm run sim -- --seed ${seed}${sm === 'store' ? '' : ` --state-machine ${sm}`}`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`sim (${sm}): ${count} seeds from ${base}, ${count - failed} passed, ${failed} failed, ${committed} entries committed in all, ${seconds} s`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
