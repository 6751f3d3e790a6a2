#!/usr/bin/env node
// Generates TypeScript types for proto/*.proto with @grpc/proto-loader's generator (no binary is
// downloaded). `--check` generates into a temporary folder and fails when proto/gen differs, so
// CI catches a .proto edited without regenerating.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'proto');
const genDir = join(protoDir, 'gen');
const check = process.argv.includes('--check');
const options = JSON.parse(readFileSync(join(protoDir, 'loader-options.json'), 'utf8'));

const files = readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort();
const out = mkdtempSync(join(tmpdir(), 'shoal-proto-'));
try {
  const flags = [
    `--longs=${options.longs}`,
    `--enums=${options.enums}`,
    ...(options.defaults ? ['--defaults'] : []),
    ...(options.oneofs ? ['--oneofs'] : []),
    ...(options.keepCase ? ['--keepCase'] : []),
    '--grpcLib=@grpc/grpc-js',
    `--includeDirs=${protoDir}`,
    `--outDir=${out}`,
  ];
  execFileSync(join(root, 'node_modules', '.bin', 'proto-loader-gen-types'), [...flags, ...files], { stdio: ['ignore', 'ignore', 'inherit'] });
  // The generator writes imports without extensions (NodeNext ES modules need `.js`) and the
  // absolute path of each .proto in a comment (which would differ from clone to clone).
  for (const file of walk(out)) {
    const text = readFileSync(file, 'utf8');
    const fixed = text
      .replace(/(from ')(\.{1,2}\/[^']+)(')/g, (m, a, p, b) => (p.endsWith('.js') ? m : `${a}${p}.js${b}`))
      .split(`${protoDir}/`)
      .join('proto/');
    if (fixed !== text) writeFileSync(file, fixed);
  }
  if (check) {
    const diffs = compareTrees(out, genDir);
    if (diffs.length > 0) {
      console.error(`proto/gen is stale (${diffs.slice(0, 5).join(', ')}${diffs.length > 5 ? ', ...' : ''}): run npm run proto:gen and commit the result`);
      process.exitCode = 1;
    } else {
      console.log(`proto/gen is current (${files.length} .proto files)`);
    }
  } else {
    rmSync(genDir, { recursive: true, force: true });
    renameSync(out, genDir);
    console.log(`generated proto/gen from ${files.join(', ')}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function compareTrees(a, b) {
  const list = (d) => (existsSync(d) ? walk(d).map((p) => relative(d, p)) : []);
  const diffs = [];
  for (const f of new Set([...list(a), ...list(b)])) {
    const pa = join(a, f);
    const pb = join(b, f);
    if (!existsSync(pa) || !existsSync(pb) || readFileSync(pa, 'utf8') !== readFileSync(pb, 'utf8')) diffs.push(f);
  }
  return diffs.sort();
}
