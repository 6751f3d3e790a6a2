// The TLS folder: written with private modes and read back by readTlsDir, as the daemons will.

import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ShoalError } from '../../shared/errors.js';
import { readTlsDir } from '../../shared/tls-dir.js';
import { writeBundle } from '../../shared/tls-bundle.js';
import { issueWithNewKey, type NodeCertificateParams } from './issue.js';
import { testRootCa, T0_MS, type TestRootCa } from './testing.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-ca-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

let ours: TestRootCa;
let theirs: TestRootCa;
beforeAll(async () => {
  [ours, theirs] = [await testRootCa(), await testRootCa()];
});
const node: NodeCertificateParams = { nodeId: 'n1', role: 'manager', clusterId: 'cluster-a', ips: ['127.0.0.1'], nowMs: T0_MS };

describe('writeBundle', () => {
  it('writes ca.pem, cert.pem and key.pem, 0600 in a 0700 folder it makes, which readTlsDir reads back; a renewal replaces them', async () => {
    const dir = join(await scratch(), 'etc', 'tls');
    const first = await issueWithNewKey(ours.ca, node);
    await writeBundle(dir, { caPem: ours.pem.certPem, certPem: first.certPem, keyPem: first.keyPem });
    expect((await readdir(dir)).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) expect((await stat(join(dir, f))).mode & 0o777, f).toBe(0o600);
    const read = await readTlsDir(dir);
    expect([read.caPem.toString(), read.certPem.toString(), read.keyPem.toString()]).toEqual([ours.pem.certPem, first.certPem, first.keyPem]);

    const renewed = await issueWithNewKey(ours.ca, node);
    await writeBundle(dir, { caPem: ours.pem.certPem, certPem: renewed.certPem, keyPem: renewed.keyPem });
    expect((await readTlsDir(dir)).certPem.toString()).toBe(renewed.certPem);
    expect((await readdir(dir)).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']); // no temp file left
  });

  it('refuses a bundle readTlsDir would refuse, in one line, writing nothing', async () => {
    const dir = join(await scratch(), 'tls');
    const a = await issueWithNewKey(ours.ca, node);
    const b = await issueWithNewKey(ours.ca, node);
    const refused = async (bundle: Parameters<typeof writeBundle>[1]): Promise<string> => {
      const err = await writeBundle(dir, bundle).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ShoalError);
      return (err as ShoalError).message;
    };
    expect(await refused({ caPem: ours.pem.certPem, certPem: a.certPem, keyPem: b.keyPem })).toBe('TLS bundle: the key is not the key of the certificate');
    expect(await refused({ caPem: theirs.pem.certPem, certPem: a.certPem, keyPem: a.keyPem })).toBe('TLS bundle: the certificate is not signed by the CA');
    expect(await refused({ caPem: ours.pem.certPem, certPem: 'x', keyPem: a.keyPem })).toMatch(/^TLS bundle: cert\.pem is not a PEM certificate \(/);
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('leaves an existing bundle whole when a new one is refused', async () => {
    const dir = await scratch();
    const a = await issueWithNewKey(ours.ca, node);
    await writeBundle(dir, { caPem: ours.pem.certPem, certPem: a.certPem, keyPem: a.keyPem });
    const b = await issueWithNewKey(ours.ca, node);
    await expect(writeBundle(dir, { caPem: ours.pem.certPem, certPem: b.certPem, keyPem: a.keyPem })).rejects.toThrow('TLS bundle: the key is not the key of the certificate');
    expect(await readFile(join(dir, 'cert.pem'), 'utf8')).toBe(a.certPem);
    await readTlsDir(dir);
  });
});
