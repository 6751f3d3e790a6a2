// How every command prints: a human table by default, JSON with --format json. Results go to
// stdout; progress and errors to stderr, so `--format json` output can be piped as it is.

import Table from 'cli-table3';
import type { Column, Output, OutputFormat } from '../shared/cli-area.js';

export type { Column, Output, OutputFormat };
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json'];

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  // Docker-style: no borders, two spaces between columns, headers in capitals.
  const table = new Table({
    head: columns.map((c) => c.header.toUpperCase()),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
      'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push(columns.map((c) => String(c.value(row))));
  return table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

export function createOutput(format: OutputFormat, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Output {
  return {
    format,
    list(rows, columns, json) {
      if (format === 'json') stdout.write(`${JSON.stringify(json ? rows.map(json) : rows, null, 2)}\n`);
      else stdout.write(`${renderTable(rows, columns)}\n`);
    },
    object(value) {
      if (format === 'json') {
        stdout.write(`${JSON.stringify(value, null, 2)}\n`);
        return;
      }
      const width = Math.max(...Object.keys(value).map((k) => k.length));
      for (const [k, v] of Object.entries(value)) stdout.write(`${k.padEnd(width)}  ${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
    },
    note(line) {
      if (format !== 'json') stderr.write(`${line}\n`);
    },
  };
}
