// The OCI image-spec JSON schemas (../shared/oci-schemas, draft-04) compiled for tests: every
// manifest, index and config Shoal stores or pulls is checked against them.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';

const schemaDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'oci-schemas', 'image-spec-v1.1.1');
type AjvClass = typeof AjvDraft04.default;
const Ajv: AjvClass = (AjvDraft04 as unknown as { default?: AjvClass }).default ?? (AjvDraft04 as unknown as AjvClass);
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
// The image-spec schemas refer to each other by relative file names but carry nested `id`s
// that move the base URL; without the ids, every file sits under one base and the relative
// references resolve to the sibling files.
const SCHEMA_BASE = 'https://opencontainers.org/schema/image/';
const stripIds = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(stripIds);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'id').map(([k, x]) => [k, stripIds(x)]));
};
for (const f of readdirSync(schemaDir).filter((n) => n.endsWith('.json'))) {
  ajv.addSchema(stripIds(JSON.parse(readFileSync(join(schemaDir, f), 'utf8'))) as object, `${SCHEMA_BASE}${f}`);
}
const compiled = (f: string) => {
  const v = ajv.getSchema(`${SCHEMA_BASE}${f}`);
  if (v === undefined) throw new Error(`schema ${f} did not compile`);
  return v;
};
export const validManifest = compiled('image-manifest-schema.json');
export const validConfig = compiled('config-schema.json');
export const validIndex = compiled('image-index-schema.json');
