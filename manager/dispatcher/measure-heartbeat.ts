// Measures the HeartbeatTracker at 10,000 sessions (DESIGN.md, "Measured"). Run by hand, never
// from a test suite:
//   npx tsc -p tsconfig.build.json && node --expose-gc dist/manager/dispatcher/measure-heartbeat.js [nodes]
// (or compile this one file with a tsconfig that extends ours into a directory of its own with a
// package.json saying "type": "module" and a node_modules link, which leaves dist/ alone).
// Prints the cost of registering, of one heartbeat, of a tick that looks at nothing, of a tick
// that scans every node, of a tick that declares them all down, a minute of steady state with the
// default settings (a tick every 100 ms, heartbeats every 0.8-1 s), and the heap per node.

import { performance } from 'node:perf_hooks';
import { SeededRng } from '../../shared/rng.js';
import { HeartbeatTracker, HEARTBEAT_DEFAULTS } from './heartbeat.js';

const gc = (globalThis as { gc?: () => void }).gc;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const us = (ms: number): string => `${(ms * 1_000).toFixed(1)} µs`;

function registered(nodes: number, atMs = 0): { tracker: HeartbeatTracker; sessions: string[] } {
  const tracker = new HeartbeatTracker(atMs, [], { rng: new SeededRng(1), nodesMax: nodes + 1 });
  const sessions = Array.from({ length: nodes }, (_, i) => tracker.register(`node-${i}`, atMs).sessionId);
  return { tracker, sessions };
}

function registering(nodes: number): void {
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    registered(nodes);
    times.push(performance.now() - t0);
  }
  console.log(`register ${nodes} nodes: median ${median(times).toFixed(2)} ms (${us(median(times) / nodes)} each)`);
}

function heartbeats(nodes: number): void {
  const { tracker, sessions } = registered(nodes);
  const times: number[] = [];
  for (let round = 1; round <= 20; round++) {
    const t0 = performance.now();
    for (let i = 0; i < nodes; i++) tracker.heartbeat(`node-${i}`, sessions[i] as string, round * 10);
    times.push(performance.now() - t0);
  }
  console.log(`one heartbeat each (${nodes}): median ${median(times).toFixed(2)} ms a round (${us(median(times) / nodes)} a heartbeat)`);
}

/** Ticks that find a deadline passed: a scan of every node, one of them going down. */
function scans(nodes: number): void {
  const times: number[] = [];
  for (let round = 0; round < 30; round++) {
    const tracker = new HeartbeatTracker(0, [], { rng: new SeededRng(round), nodesMax: nodes + 1, tickIntervalMs: 1 });
    tracker.register('early', 0);
    for (let i = 0; i < nodes; i++) tracker.register(`node-${i}`, 1);
    for (let t = 1; t <= 3_000; t++) tracker.tick(t); // nothing due yet: no scan
    const t0 = performance.now();
    const downs = tracker.tick(3_001);
    times.push(performance.now() - t0);
    if (downs.length !== 1) throw new Error(`expected one down, got ${downs.length}`);
  }
  console.log(`a tick scanning ${nodes + 1} nodes (one goes down): median ${median(times).toFixed(3)} ms, max ${Math.max(...times).toFixed(3)} ms`);
}

function allDown(nodes: number): void {
  const times: number[] = [];
  for (let round = 0; round < 10; round++) {
    const { tracker } = registered(nodes);
    for (let t = 100; t <= 3_000; t += 100) tracker.tick(t);
    const t0 = performance.now();
    const downs = tracker.tick(3_100);
    times.push(performance.now() - t0);
    if (downs.length !== nodes) throw new Error(`expected ${nodes} downs, got ${downs.length}`);
  }
  console.log(`a tick declaring all ${nodes} down: median ${median(times).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms`);
}

/** A minute of the default settings: heartbeats at the answered periods, a tick every 100 ms. */
function steady(nodes: number): void {
  const { tracker, sessions } = registered(nodes);
  const rng = new SeededRng(5);
  const nextBeatMs = Float64Array.from({ length: nodes }, () => rng.int(1_000));
  const tickTimes: number[] = [];
  let beatMs = 0;
  let beats = 0;
  for (let now = HEARTBEAT_DEFAULTS.tickIntervalMs; now <= 60_000; now += HEARTBEAT_DEFAULTS.tickIntervalMs) {
    const t0 = performance.now();
    for (let i = 0; i < nodes; i++) {
      if ((nextBeatMs[i] as number) > now) continue;
      nextBeatMs[i] = (nextBeatMs[i] as number) + tracker.heartbeat(`node-${i}`, sessions[i] as string, nextBeatMs[i] as number).periodMs;
      beats++;
    }
    const t1 = performance.now();
    beatMs += t1 - t0;
    const downs = tracker.tick(tracker.nextTickAtMs);
    tickTimes.push(performance.now() - t1);
    if (downs.length > 0) throw new Error('a live node went down');
  }
  const s = tracker.stats();
  const total = tickTimes.reduce((a, b) => a + b, 0);
  console.log(`steady minute, ${nodes} nodes: ${s.ticks} ticks of which ${s.scans} scanned; ticks ${total.toFixed(1)} ms in all (median ${us(median(tickTimes))}, max ${Math.max(...tickTimes).toFixed(3)} ms); ${beats} heartbeats, ${beatMs.toFixed(0)} ms in all (${us(beatMs / beats)} each, the loop over nodes included)`);
}

function memory(nodes: number): void {
  if (gc === undefined) {
    console.log('heap per node: run with --expose-gc');
    return;
  }
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = registered(nodes);
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(`heap: ${((after - before) / nodes).toFixed(0)} bytes a node (session ids and node ids included), ${kept.tracker.size} nodes`);
}

const nodes = Number(process.argv[2] ?? 10_000);
for (let warm = 0; warm < 2; warm++) {
  registered(nodes);
  steady(Math.min(nodes, 1_000));
}
registering(nodes);
heartbeats(nodes);
scans(nodes);
allDown(nodes);
steady(nodes);
memory(nodes);
