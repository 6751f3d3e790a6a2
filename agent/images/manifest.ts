// Image indexes, manifests and configs: pure structural checks of what Shoal relies on, each
// error naming the field. (The tests also validate them against the OCI image-spec schemas.)

import { arch } from 'node:process';
import { invalidArgument } from '../../shared/errors.js';
import { checkDigest, type Digest } from './content-store.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

const LAYER_TYPES: readonly string[] = [MEDIA.ociLayer, MEDIA.ociLayerGzip, MEDIA.dockerLayer, MEDIA.dockerLayerGzip];

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Manifest {
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface ImageConfigBlob {
  readonly architecture: string;
  readonly os: string;
  readonly config: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string; User?: string };
  readonly rootfs: { type: 'layers'; diff_ids: Digest[] };
}

export function hostPlatform(): Platform {
  const architecture = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[arch] ?? arch;
  return { os: 'linux', architecture };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(what: string, why: string): never {
  throw invalidArgument('image.bad_manifest', `${what}: ${why}`);
}

export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v)) bad(what, 'not an object');
  if (typeof v['mediaType'] !== 'string') bad(`${what}.mediaType`, 'missing');
  if (typeof v['digest'] !== 'string') bad(`${what}.digest`, 'missing');
  const size = v['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) bad(`${what}.size`, 'not a size in bytes');
  const platform = v['platform'];
  const annotations = v['annotations'];
  return {
    mediaType: v['mediaType'] as string,
    digest: checkDigest(v['digest'] as string, `${what}.digest`),
    size,
    ...(isObject(platform) && typeof platform['os'] === 'string' && typeof platform['architecture'] === 'string'
      ? { platform: { os: platform['os'], architecture: platform['architecture'], ...(typeof platform['variant'] === 'string' ? { variant: platform['variant'] } : {}) } }
      : {}),
    ...(isObject(annotations) ? { annotations: Object.fromEntries(Object.entries(annotations).filter(([, x]) => typeof x === 'string')) as Record<string, string> } : {}),
  };
}

export function parseIndex(v: unknown, what: string): { manifests: Descriptor[] } {
  if (!isObject(v) || v['schemaVersion'] !== 2) bad(what, 'not an image index (schemaVersion 2)');
  if (!Array.isArray(v['manifests'])) bad(`${what}.manifests`, 'missing');
  return { manifests: (v['manifests'] as unknown[]).map((d, i) => parseDescriptor(d, `${what}.manifests[${i}]`)) };
}

export function parseManifest(v: unknown, what: string): Manifest {
  if (!isObject(v) || v['schemaVersion'] !== 2) bad(what, 'not an image manifest (schemaVersion 2)');
  if (v['mediaType'] !== undefined && v['mediaType'] !== MEDIA.ociManifest && v['mediaType'] !== MEDIA.dockerManifest) {
    bad(`${what}.mediaType`, `${JSON.stringify(v['mediaType'])} is not an image manifest`);
  }
  const config = parseDescriptor(v['config'], `${what}.config`);
  if (!Array.isArray(v['layers'])) bad(`${what}.layers`, 'missing');
  const layers = (v['layers'] as unknown[]).map((d, i) => parseDescriptor(d, `${what}.layers[${i}]`));
  layers.forEach((l, i) => {
    if (!LAYER_TYPES.includes(l.mediaType)) bad(`${what}.layers[${i}].mediaType`, `${JSON.stringify(l.mediaType)} is not a supported layer type (tar or tar+gzip)`);
  });
  return { config, layers };
}

export function parseConfig(v: unknown, what: string): ImageConfigBlob {
  if (!isObject(v)) bad(what, 'not an object');
  if (typeof v['architecture'] !== 'string' || typeof v['os'] !== 'string') bad(what, 'needs os and architecture');
  const rootfs = v['rootfs'];
  if (!isObject(rootfs) || rootfs['type'] !== 'layers' || !Array.isArray(rootfs['diff_ids'])) bad(`${what}.rootfs`, 'needs type "layers" and diff_ids');
  const diffIds = (rootfs['diff_ids'] as unknown[]).map((d, i) => checkDigest(String(d), `${what}.rootfs.diff_ids[${i}]`));
  const config = isObject(v['config']) ? v['config'] : {};
  return { architecture: v['architecture'], os: v['os'], config: config as ImageConfigBlob['config'], rootfs: { type: 'layers', diff_ids: diffIds } };
}
