import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput, renderTable } from './output.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (b: Buffer) => (text += b.toString()));
  return { stream, text: () => text };
}

const rows = [
  { name: 'h1', address: '198.18.0.2' },
  { name: 'h10', address: '198.18.0.11' },
];
const columns = [
  { header: 'host', value: (r: (typeof rows)[number]) => r.name },
  { header: 'address', value: (r: (typeof rows)[number]) => r.address },
];

describe('output', () => {
  it('renders Docker-style tables: capital headers, aligned columns, no borders', () => {
    expect(renderTable(rows, columns).split('\n')).toEqual(['HOST  ADDRESS', 'h1    198.18.0.2', 'h10   198.18.0.11']);
  });

  it('prints JSON for machines and keeps notes off stdout', () => {
    const out = capture();
    const err = capture();
    const o = createOutput('json', out.stream, err.stream);
    o.note('progress');
    o.list(rows, columns);
    expect(JSON.parse(out.text())).toEqual(rows);
    expect(err.text()).toBe('');
  });

  it('prints objects as aligned key/value lines for people', () => {
    const out = capture();
    createOutput('table', out.stream).object({ id: 'abc', replicas: 3 });
    expect(out.text()).toBe('id        abc\nreplicas  3\n');
  });
});
