import { describe, expect, it } from 'vitest';
import { parseRuncStats, parseRuntimeFeatures, runcUpdateArgs } from './runc.js';

const none = { memoryBytes: 0, memoryReservationBytes: 0, cpus: 0, cpuShares: 0, cpusetCpus: '', pidsLimit: 0 };

describe('runc update and stats', () => {
  it('turns limits into runc update flags', () => {
    expect(runcUpdateArgs({ ...none, memoryBytes: 64 * 1024 * 1024, cpus: 1.5, pidsLimit: 10 })).toEqual([
      '--memory', String(64 * 1024 * 1024), '--cpu-period', '100000', '--cpu-quota', '150000', '--pids-limit', '10',
    ]);
  });

  it('refuses an update that changes nothing or sets a bad limit, naming it', () => {
    expect(() => runcUpdateArgs(none)).toThrow('update: name at least one limit to change');
    expect(() => runcUpdateArgs({ ...none, memoryBytes: 100 })).toThrow('container.resources.memory: must be at least 6 MiB (got 100 bytes)');
  });

  it('reads the figures out of runc events --stats', () => {
    const line = JSON.stringify({ type: 'stats', id: 'x', data: { cpu: { usage: { total: 12345 } }, memory: { usage: { usage: 4096, limit: 8192 } }, pids: { current: 3, limit: 64 } } });
    expect(parseRuncStats(line)).toEqual({ cpuUsageNs: 12345, memoryUsageBytes: 4096, memoryLimitBytes: 8192, pidsCurrent: 3, pidsLimit: 64 });
    expect(() => parseRuncStats('not json')).toThrow(/not JSON/);
  });

  it('reads namespaces and seccomp out of runc features, and nothing out of what is not its JSON', () => {
    const doc = JSON.stringify({ ociVersionMax: '1.0.2-dev', linux: { namespaces: ['cgroup', 'ipc', 'mount'], seccomp: { enabled: true, actions: ['SCMP_ACT_ALLOW'] } } });
    expect(parseRuntimeFeatures(doc)).toEqual({ namespaces: ['cgroup', 'ipc', 'mount'], seccomp: true });
    expect(parseRuntimeFeatures(JSON.stringify({ linux: { seccomp: { enabled: false } } }))).toEqual({ seccomp: false });
    expect(parseRuntimeFeatures('{}')).toEqual({});
    expect(parseRuntimeFeatures('Usage: crun [OPTION...]')).toBeUndefined();
  });
});
