// Data-driven interaction scripts with golden transcripts (in the style of etcd's testdata):
// each file under testdata/ is a list of blocks
//
//   > command arg key=value
//   expected output line
//   ...
//
// separated by blank lines. The runner executes each command against an in-memory cluster of
// the real core and compares what it prints — the messages delivered, one per line, and
// states — with the expected lines. `SHOAL_REWRITE=1 npx vitest run manager/raft/interaction`
// rewrites the files with what the code prints now; read the diff before committing it.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Cluster } from './sim/cluster.js';
import type { Message } from './types.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

interface Block {
  readonly command: string;
  readonly expected: string[];
}

function parse(text: string): Block[] {
  const blocks: Block[] = [];
  for (const chunk of text.split(/\n\s*\n/)) {
    const lines = chunk.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const [first, ...rest] = lines;
    if (first === undefined) continue;
    if (!first.startsWith('> ')) throw new Error(`testdata: a block must start with "> command", got ${JSON.stringify(first)}`);
    blocks.push({ command: first.slice(2).trim(), expected: rest });
  }
  return blocks;
}

function describeMessage(m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type.replace(/^MSG_/, '')}`, `term=${m.term}`];
  if (m.type === 'MSG_APP' || m.type === 'MSG_VOTE' || m.type === 'MSG_PRE_VOTE') parts.push(`logTerm=${m.logTerm}`, `index=${m.index}`);
  if (m.type === 'MSG_APP_RESP' || m.type === 'MSG_READ_INDEX_RESP') parts.push(`index=${m.index}`);
  if (m.type === 'MSG_APP' || m.type === 'MSG_HEARTBEAT') parts.push(`commit=${m.commit}`);
  if (m.entries.length > 0) parts.push(`entries=[${m.entries.map((e) => `${e.index}@${e.term}${e.data.length > 0 && e.type === 'ENTRY_NORMAL' ? `:${new TextDecoder().decode(e.data)}` : ''}`).join(' ')}]`);
  if (m.reject) parts.push(`reject hint=${m.rejectHint}`);
  if (m.context.length > 0) parts.push(`ctx=${new TextDecoder().decode(m.context)}`);
  if (m.snapshot !== undefined) parts.push(`snapshot=${m.snapshot.meta.index}@${m.snapshot.meta.term}`);
  return parts.join(' ');
}

class Runner {
  private cluster: Cluster | undefined;

  private get c(): Cluster {
    if (this.cluster === undefined) throw new Error('testdata: start with "> cluster n=N"');
    return this.cluster;
  }

  run(command: string): string[] {
    const [name, ...args] = command.split(/\s+/);
    const kv = new Map(args.filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string]));
    const pos = args.filter((a) => !a.includes('=')).map(Number);
    switch (name) {
      case 'cluster':
        this.cluster = new Cluster(Number(kv.get('n') ?? 3), {
          seed: Number(kv.get('seed') ?? 1),
          preVote: kv.get('pre-vote') !== 'false',
          checkQuorum: kv.get('check-quorum') !== 'false',
        });
        return this.status();
      case 'campaign':
        this.c.get(pos[0] as number).node.campaign();
        return [];
      case 'tick':
        this.c.tick(pos[0] as number, pos[1] ?? 1);
        return [];
      case 'propose':
        this.c.get(pos[0] as number).node.propose(new TextEncoder().encode(args[1] ?? ''));
        return [];
      case 'read-index':
        this.c.get(pos[0] as number).node.readIndex(new TextEncoder().encode(args[1] ?? 'r'));
        return [];
      case 'transfer':
        this.c.get(pos[0] as number).node.transferLeadership(pos[1] as number);
        return [];
      case 'isolate':
        this.c.isolate(pos[0] as number);
        return [];
      case 'heal':
        this.c.heal();
        return [];
      case 'stabilize':
        return this.stabilize();
      case 'status':
        return this.status();
      case 'applied':
        return this.c.ids.map((id) => `${id}: ${this.c.appliedData(id).join(' ') || '(nothing)'}`);
      case 'read-states':
        return this.c.ids.flatMap((id) => this.c.get(id).readStates.map((r) => `${id}: index=${r.index} ctx=${new TextDecoder().decode(r.context)}`));
      default:
        throw new Error(`testdata: unknown command ${JSON.stringify(name)}`);
    }
  }

  /** Delivers messages round by round, printing each, until none is left. */
  private stabilize(): string[] {
    const out: string[] = [];
    for (let round = 0; round < 100; round++) {
      this.c.collect();
      const batch = this.c.queue.splice(0);
      if (batch.length === 0) return out;
      for (const m of batch) {
        const delivered = this.c.filters.every((f) => f(m));
        out.push(`${describeMessage(m)}${delivered ? '' : '  (dropped)'}`);
        if (delivered) this.c.deliver(m);
      }
    }
    throw new Error('testdata: stabilize did not settle in 100 rounds');
  }

  private status(): string[] {
    return this.c.ids.map((id) => {
      const s = this.c.get(id).node.status();
      return `${id}: ${s.role} term=${s.term} lead=${s.lead} commit=${s.commit} applied=${s.applied} last=${s.lastIndex}`;
    });
  }
}

const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

describe('raft interaction scripts (testdata/*.txt)', () => {
  for (const file of files) {
    it(file, () => {
      const path = join(dir, file);
      const blocks = parse(readFileSync(path, 'utf8'));
      const runner = new Runner();
      const actual = blocks.map((b) => ({ command: b.command, expected: b.expected, got: runner.run(b.command) }));
      if (process.env['SHOAL_REWRITE'] === '1') {
        const header = readFileSync(path, 'utf8').split('\n').filter((l, i, all) => l.startsWith('#') && all.slice(0, i).every((x) => x.startsWith('#'))).join('\n');
        writeFileSync(path, `${header}${header ? '\n\n' : ''}${actual.map((a) => [`> ${a.command}`, ...a.got].join('\n')).join('\n\n')}\n`);
        return;
      }
      for (const a of actual) expect(a.got, `${file}: > ${a.command}`).toEqual(a.expected);
    });
  }
});
