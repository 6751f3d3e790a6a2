import { describe, expect, it } from 'vitest';
import { ShoalError } from './errors.js';
import { canonicalReference, familiarReference, parseImageReference } from './image-reference.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
/** The longest path a one-component Docker Hub name can have: 255 less `docker.io/library/`. */
const NAME_LEFT = 255 - 'docker.io/library/'.length;

function problem(raw: string): string {
  try {
    parseImageReference(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe('image.bad_reference');
    return (err as ShoalError).message;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('image references, read as Docker reads them', () => {
  it('puts a one-word name on Docker Hub under library/, with the tag latest', () => {
    for (const raw of ['busybox', 'busybox:latest', 'docker.io/busybox', 'docker.io/busybox:latest', 'docker.io/library/busybox', 'docker.io/library/busybox:latest', 'index.docker.io/library/busybox']) {
      expect([raw, canonicalReference(raw)]).toEqual([raw, 'docker.io/library/busybox:latest']);
    }
    expect(parseImageReference('busybox')).toEqual({ domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
  });

  it('keeps a Docker Hub namespace, and adds no library/ to it', () => {
    expect(canonicalReference('team/app:1')).toBe('docker.io/team/app:1');
    expect(canonicalReference('docker.io/team/app:1')).toBe('docker.io/team/app:1');
    expect(canonicalReference('team/sub/app')).toBe('docker.io/team/sub/app:latest');
  });

  it('reads a first component with a dot, a colon, uppercase, or `localhost` as a registry host, kept as it is', () => {
    expect(parseImageReference('registry:5000/team/app:1')).toEqual({ domain: 'registry:5000', path: 'team/app', tag: '1' });
    expect(canonicalReference('localhost:5000/x')).toBe('localhost:5000/x:latest');
    expect(canonicalReference('localhost/x')).toBe('localhost/x:latest');
    expect(canonicalReference('example.com/app')).toBe('example.com/app:latest');
    expect(canonicalReference('127.0.0.1:41234/team/pulled:1')).toBe('127.0.0.1:41234/team/pulled:1');
    expect(canonicalReference('[::1]:5000/app:2')).toBe('[::1]:5000/app:2');
    expect(canonicalReference('Registry/app')).toBe('Registry/app:latest');
    // No library/ on other registries, and no registry without a slash after it.
    expect(canonicalReference('example.com/busybox')).toBe('example.com/busybox:latest');
    expect(canonicalReference('localhost')).toBe('docker.io/library/localhost:latest');
    expect(canonicalReference('localhost:5000')).toBe('docker.io/library/localhost:5000');
  });

  it('takes a digest, and lets it win over a tag given with it', () => {
    expect(parseImageReference(`busybox@${DIGEST}`)).toEqual({ domain: 'docker.io', path: 'library/busybox', digest: DIGEST });
    expect(canonicalReference(`busybox:1.36@${DIGEST}`)).toBe(`docker.io/library/busybox@${DIGEST}`);
    expect(canonicalReference(`localhost:5000/x:1@${DIGEST}`)).toBe(`localhost:5000/x@${DIGEST}`);
  });

  it('accepts the separators and tags of the grammar', () => {
    expect(canonicalReference('team/a.b_c__d---e/f-g:V1.2_rc-3')).toBe('docker.io/team/a.b_c__d---e/f-g:V1.2_rc-3');
    expect(canonicalReference('my-reg.example.com:443/a_b')).toBe('my-reg.example.com:443/a_b:latest');
    expect(canonicalReference(`x:_${'a'.repeat(127)}`)).toBe(`docker.io/library/x:_${'a'.repeat(127)}`);
    expect(canonicalReference('a'.repeat(NAME_LEFT))).toHaveLength('docker.io/library/'.length + NAME_LEFT + ':latest'.length);
  });

  it('shows the familiar form, as `docker images` does', () => {
    expect(familiarReference('docker.io/library/busybox:latest')).toBe('busybox:latest');
    expect(familiarReference('busybox')).toBe('busybox:latest');
    expect(familiarReference('docker.io/team/app:1')).toBe('team/app:1');
    expect(familiarReference('docker.io/library/team/app:1')).toBe('library/team/app:1');
    expect(familiarReference('localhost:5000/x')).toBe('localhost:5000/x:latest');
    expect(familiarReference('registry:5000/library/x:1')).toBe('registry:5000/library/x:1');
    expect(familiarReference(`docker.io/library/busybox@${DIGEST}`)).toBe(`busybox@${DIGEST}`);
    // What does not parse is shown as it is.
    expect(familiarReference('Not Valid')).toBe('Not Valid');
  });

  it('refuses malformed references, naming them and what is wrong', () => {
    expect(problem('')).toBe('image reference "" is not valid: it is empty');
    expect(problem('Busybox')).toBe('image reference "Busybox" is not valid: the repository name must be lowercase');
    expect(problem('registry:5000/Team/app')).toMatch(/must be lowercase$/);
    expect(problem('busybox:')).toMatch(/^image reference "busybox:" is not valid: the tag "" is not 1 to 128 letters/);
    expect(problem('busybox:-x')).toMatch(/the tag "-x"/);
    expect(problem('busybox:a/b')).toMatch(/is not valid/);
    expect(problem(`busybox:${'a'.repeat(129)}`)).toMatch(/the tag "a+" is not 1 to 128/);
    expect(problem('busybox@sha256:abc')).toBe('image reference "busybox@sha256:abc" is not valid: the digest "sha256:abc" is not sha256:<64 lowercase hex digits>');
    expect(problem(`busybox@sha512:${'a'.repeat(128)}`)).toMatch(/the digest "sha512:a+" is not sha256/);
    expect(problem(`busybox@${DIGEST.toUpperCase()}`)).toMatch(/the digest/);
    expect(problem('ab'.repeat(32))).toMatch(/64 hex digits is an image ID, not a name$/);
    expect(problem(':1')).toMatch(/it names no repository$/);
    expect(problem(`@${DIGEST}`)).toMatch(/it names no repository$/);
    expect(problem('Bad Name')).toMatch(/^image reference "Bad Name" is not valid: /);
    expect(problem('a..b')).toMatch(/"a\.\.b" is not a repository path component/);
    expect(problem('team//app')).toMatch(/"" is not a repository path component/);
    expect(problem('team/app/')).toMatch(/"" is not a repository path component/);
    expect(problem('-app')).toMatch(/"-app" is not a repository path component/);
    expect(problem('app___x')).toMatch(/is not a repository path component/);
    expect(problem('reg-.com/app')).toMatch(/"reg-\.com" is not a registry host\[:port\]$/);
    expect(problem('reg.com:port/app')).toMatch(/is not a registry host/);
    expect(problem(' busybox')).toMatch(/is not valid/);
    expect(problem(`a/${'b'.repeat(NAME_LEFT + 'library/'.length - 1)}`)).toMatch(/the name is longer than 255 characters$/);
    expect(problem('a'.repeat(NAME_LEFT + 1))).toMatch(/the name is longer than 255 characters$/);
  });
});

