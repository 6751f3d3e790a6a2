// A manager renews its own certificate with no restart: new connections get the new one, open
// ones go on, the bundle on disk is the new one, and its lifetime is the cluster's setting.

import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProto } from '../../proto/load.js';
import { systemClock } from '../../shared/clock.js';
import { runAllCleanups, type CleanupStep } from '../../shared/cleanup.js';
import { callUnary, clientCredentials } from '../../shared/grpc.js';
import { silentLogger } from '../../shared/logger.js';
import { freeLoopbackPort } from '../../shared/net.js';
import { readTlsDir } from '../../shared/tls-dir.js';
import { initCluster, Manager } from './manager.js';
import { MANAGER_CHANNEL_OPTIONS } from './settings.js';
import { managerProcesses } from './testing.js';

const cleanups: CleanupStep[] = [];
afterEach(() => runAllCleanups('renewal test', cleanups.splice(0)));
const { cli, scratch } = managerProcesses(cleanups);

/** The certificate a new TLS connection to `port` is shown. */
function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'manager.shoal', rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolve(new X509Certificate(raw));
    });
    socket.once('error', reject);
  });
}

describe('certificate renewal', () => {
  it('puts a new certificate, of the cluster lifetime, in use without a restart', async () => {
    const dir = await scratch();
    const port = await freeLoopbackPort();
    const dataDir = join(dir, 'm1');
    await initCluster({ dataDir, advertiseAddr: `127.0.0.1:${port}`, logger: silentLogger() });
    const manager = new Manager({ dataDir, logger: silentLogger(), hostname: 'm1' });
    cleanups.push(() => manager.stop());
    await manager.start();
    await manager.joinTokens(); // the cluster object (and its CA) is in the store

    const admin = await readTlsDir(join(dataDir, 'admin'));
    const Control = loadProto('control').shoal.control.v1.Control;
    const open = new Control(`127.0.0.1:${port}`, clientCredentials(admin), MANAGER_CHANNEL_OPTIONS);
    cleanups.push(() => open.close());
    await callUnary(open.ListNodes.bind(open), {}, 5000);
    const before = await servedCertificate(port);

    const flags = ['--host', `127.0.0.1:${port}`, '--tls-dir', join(dataDir, 'admin')];
    const bad = await cli(['cluster', 'update', '--cert-expiry', '10m', ...flags]);
    expect(bad.stderr).toBe('shoal: certificate expiry 600000 ms: must be from 1 hour to 10 years\n');
    const updated = await cli(['--format', 'json', 'cluster', 'update', '--cert-expiry', '2h', ...flags]);
    expect(JSON.parse(updated.stdout)).toMatchObject({ certExpiryMs: 7_200_000 });

    await manager.renewCertificate();
    const after = await servedCertificate(port);
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.subject).toBe(before.subject);
    expect(after.subjectAltName).toBe(before.subjectAltName);
    const lifetimeMs = after.validToDate.getTime() - after.validFromDate.getTime();
    expect(lifetimeMs).toBeGreaterThanOrEqual(7_200_000);
    expect(lifetimeMs).toBeLessThanOrEqual(7_200_000 + 61_000); // the clock-skew allowance before now
    expect(Math.abs(after.validToDate.getTime() - (systemClock.wallMs() + 7_200_000))).toBeLessThan(60_000);
    // The bundle on disk is the new one (a restart uses it), and the open channel goes on.
    expect(new X509Certificate((await readTlsDir(join(dataDir, 'tls'))).certPem).serialNumber).toBe(after.serialNumber);
    await callUnary(open.ListNodes.bind(open), {}, 5000);
  }, 30_000);
});
