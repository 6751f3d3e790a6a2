import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECCOMP_PROFILE_BYTES_MAX, securityOpt, securityOptions } from './security-opt.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-secopt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--security-opt', () => {
  it('reads seccomp=unconfined and seccomp=FILE, and refuses the rest naming the option', () => {
    expect(securityOpt('seccomp=unconfined', '--security-opt')).toEqual({ seccomp: 'unconfined' });
    expect(securityOpt('seccomp=./p.json', '--security-opt')).toEqual({ seccomp: 'profile', path: './p.json' });
    expect(() => securityOpt('apparmor=unconfined', '--security-opt')).toThrow('--security-opt: "apparmor=unconfined" is not supported (Shoal knows seccomp=unconfined and seccomp=PROFILE.json)');
    expect(() => securityOpt('seccomp=', '--security-opt')).toThrow(/is not supported/);
  });

  it("sends a profile file's text with its name; a missing, huge or repeated one is one line", async () => {
    const file = join(dir, 'p.json');
    await writeFile(file, '{"defaultAction":"SCMP_ACT_ALLOW"}');
    expect(await securityOptions([])).toBeUndefined();
    expect(await securityOptions([{ seccomp: 'unconfined' }])).toEqual({ seccomp: 'unconfined' });
    expect(await securityOptions([{ seccomp: 'profile', path: file }])).toEqual({ seccomp: 'profile', seccompProfileJson: '{"defaultAction":"SCMP_ACT_ALLOW"}', seccompProfileSource: file });
    await expect(securityOptions([{ seccomp: 'profile', path: join(dir, 'none.json') }])).rejects.toThrow(`--security-opt seccomp=${join(dir, 'none.json')}: cannot read the file (ENOENT: no such file or directory`);
    await expect(securityOptions([{ seccomp: 'profile', path: dir }])).rejects.toThrow(/cannot read the file \(EISDIR/);
    const big = join(dir, 'big.json');
    await writeFile(big, Buffer.alloc(SECCOMP_PROFILE_BYTES_MAX + 1, 0x20));
    await expect(securityOptions([{ seccomp: 'profile', path: big }])).rejects.toThrow(`--security-opt seccomp=${big}: the file is ${SECCOMP_PROFILE_BYTES_MAX + 1} bytes, more than the ${SECCOMP_PROFILE_BYTES_MAX} a profile may have`);
    await expect(securityOptions([{ seccomp: 'unconfined' }, { seccomp: 'profile', path: file }])).rejects.toThrow('--security-opt: seccomp given 2 times; give it once');
  });
});
