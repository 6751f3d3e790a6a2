import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/logger.js';
import type { RuntimeHost } from '../oci/host.js';
import { resolveSecurity } from './security.js';

const host: RuntimeHost = { arch: 'amd64', kernel: { major: 6, minor: 1 }, cgroupNamespace: true, seccomp: true };
const noSeccomp: RuntimeHost = { ...host, seccomp: false };
const opts = (seccomp: string, json = '', source = '') => ({ seccomp, seccompProfileJson: json, seccompProfileSource: source });

describe('security options of a create request', () => {
  it('default when unset or empty, unconfined when asked, a profile read and named', () => {
    expect(resolveSecurity(null, host, silentLogger())).toEqual({ seccomp: { mode: 'default' }, record: { seccomp: 'default' } });
    expect(resolveSecurity(opts(''), host, silentLogger()).record).toEqual({ seccomp: 'default' });
    expect(resolveSecurity(opts('unconfined'), host, silentLogger())).toEqual({ seccomp: { mode: 'unconfined' }, record: { seccomp: 'unconfined' } });
    const r = resolveSecurity(opts('profile', '{"defaultAction":"SCMP_ACT_LOG"}', 'log.json'), host, silentLogger());
    expect(r.record).toEqual({ seccomp: 'profile', seccompProfileSource: 'log.json' });
    expect(r.seccomp).toEqual({ mode: 'profile', template: { defaultAction: 'SCMP_ACT_LOG', syscalls: [] } });
  });

  it('refuses an unknown mode and a bad profile with one line', () => {
    expect(() => resolveSecurity(opts('strict'), host, silentLogger())).toThrow('security.seccomp: "strict" is not default, unconfined or profile');
    expect(() => resolveSecurity(opts('profile', '{', 'bad.json'), host, silentLogger())).toThrow(/^seccomp profile bad\.json: not JSON: /);
  });

  it('on a runtime without seccomp: default containers run unconfined (and say so), a profile is refused', () => {
    expect(resolveSecurity(null, noSeccomp, silentLogger()).record).toEqual({ seccomp: 'unconfined' });
    expect(() => resolveSecurity(opts('profile', '{"defaultAction":"SCMP_ACT_LOG"}', 'log.json'), noSeccomp, silentLogger())).toThrow(
      'seccomp profile log.json: the OCI runtime on this host was built without seccomp',
    );
  });
});
