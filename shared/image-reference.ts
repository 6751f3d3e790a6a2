// Image references read as Docker reads them (the "familiar" normalization of the
// distribution project's reference grammar), so that `busybox`, `busybox:latest` and
// `docker.io/library/busybox:latest` name one image however it was imported or pulled:
//
//   reference  := name [":" tag] ["@" digest]
//   name       := [domain "/"] path             at most 255 characters with its domain
//   domain     := host [":" port]               host: DNS-like labels, or [IPv6]
//   path       := component ("/" component)*    component: [a-z0-9]+ joined by . _ __ or -+
//   tag        := [\w][\w.-]{0,127}
//   digest     := sha256:<64 lowercase hex>     (the only algorithm the content store keeps)
//
// The first component is a registry host when it holds a "." or ":", is `localhost`, or has an
// uppercase letter (which a path may not have); otherwise the name is on Docker Hub,
// `docker.io`, and a one-component path there gets `library/` in front. `index.docker.io` is
// Docker Hub's old name. No tag and no digest means `:latest`; a tag and a digest together mean
// the digest (the tag is dropped). Pure: shared by the agent (what its image index stores and
// compares: the canonical form) and the CLI (what it shows: the familiar form).

import { invalidArgument, type ShoalError } from './errors.js';

export const DOCKER_HUB_DOMAIN = 'docker.io';
const LEGACY_HUB_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const DEFAULT_TAG = 'latest';
/** Docker's limit on a name, domain included. */
export const NAME_LENGTH_MAX = 255;

export interface ImageReference {
  /** The registry, host[:port]; `docker.io` for Docker Hub. */
  readonly domain: string;
  /** The repository on that registry: `library/busybox`, `team/app`. */
  readonly path: string;
  /** Exactly one of tag and digest is set. */
  readonly tag?: string;
  readonly digest?: string;
}

const ID = /^[a-f0-9]{64}$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

function bad(raw: string, why: string): ShoalError {
  return invalidArgument('image.bad_reference', `image reference ${JSON.stringify(raw)} is not valid: ${why}`, { fields: { reference: raw } });
}

/** Splits a name (no tag, no digest) into its registry and its path, as Docker does. */
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  let domain = DOCKER_HUB_DOMAIN;
  let path = name;
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (first === 'localhost' || /[.:]/.test(first) || first !== first.toLowerCase()) {
      domain = first === LEGACY_HUB_DOMAIN ? DOCKER_HUB_DOMAIN : first;
      path = name.slice(slash + 1);
    }
  }
  if (domain === DOCKER_HUB_DOMAIN && !path.includes('/')) path = `${OFFICIAL_PREFIX}${path}`;
  return { domain, path };
}

/** Parses a reference as a user or an archive wrote it; throws `image.bad_reference` naming what is wrong. */
export function parseImageReference(raw: string): ImageReference {
  if (raw === '') throw bad(raw, 'it is empty');
  if (ID.test(raw)) throw bad(raw, 'a string of 64 hex digits is an image ID, not a name');
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(raw, `the digest ${JSON.stringify(digest)} is not sha256:<64 lowercase hex digits>`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(raw, `the tag ${JSON.stringify(tag)} is not 1 to 128 letters, digits, _ . or - starting with a letter, digit or _`);
  }
  if (rest === '') throw bad(raw, 'it names no repository');
  const { domain, path } = splitDomain(rest);
  if (!DOMAIN.test(domain)) throw bad(raw, `${JSON.stringify(domain)} is not a registry host[:port]`);
  if (path !== path.toLowerCase()) throw bad(raw, 'the repository name must be lowercase');
  const wrong = path.split('/').find((c) => !PATH_COMPONENT.test(c));
  if (wrong !== undefined) {
    throw bad(raw, `${JSON.stringify(wrong)} is not a repository path component (lowercase letters and digits, joined by one . or _, two _, or dashes)`);
  }
  if (domain.length + 1 + path.length > NAME_LENGTH_MAX) throw bad(raw, `the name is longer than ${NAME_LENGTH_MAX} characters`);
  if (digest !== undefined) return { domain, path, digest };
  return { domain, path, tag: tag ?? DEFAULT_TAG };
}

function suffix(ref: ImageReference): string {
  return ref.digest !== undefined ? `@${ref.digest}` : `:${ref.tag ?? DEFAULT_TAG}`;
}

/** The fully qualified form: `docker.io/library/busybox:latest`. What an image index stores. */
export function canonicalString(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}${suffix(ref)}`;
}

/** The short form Docker shows: `busybox:latest`, `team/app:1`, `localhost:5000/x:latest`. */
export function familiarString(ref: ImageReference): string {
  if (ref.domain !== DOCKER_HUB_DOMAIN) return canonicalString(ref);
  const official = ref.path.startsWith(OFFICIAL_PREFIX) && !ref.path.slice(OFFICIAL_PREFIX.length).includes('/');
  return `${official ? ref.path.slice(OFFICIAL_PREFIX.length) : ref.path}${suffix(ref)}`;
}

/** `busybox` → `docker.io/library/busybox:latest`; throws `image.bad_reference`. */
export function canonicalReference(raw: string): string {
  return canonicalString(parseImageReference(raw));
}

/** For display: the familiar form of a reference, or the text itself when it does not parse. */
export function familiarReference(raw: string): string {
  try {
    return familiarString(parseImageReference(raw));
  } catch {
    return raw;
  }
}
