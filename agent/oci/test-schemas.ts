// The OCI runtime-spec v1.1.0 JSON Schema (draft-04, from ../shared/oci-schemas) compiled for
// tests: every config.json Shoal generates, and every seccomp profile in it, is checked against it.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';

const schemaDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'oci-schemas', 'runtime-spec-v1.1.0');

// ajv-draft-04 is CommonJS with `exports.default`: Node's ES module loader hands over the
// exports object, vite's interop the class itself.
type AjvClass = typeof AjvDraft04.default;
const Ajv: AjvClass = (AjvDraft04 as unknown as { default?: AjvClass }).default ?? (AjvDraft04 as unknown as AjvClass);

/** Validates a whole config.json; its `errors` say what is wrong after a false. */
export const validRuntimeConfig = (() => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const f of readdirSync(schemaDir).filter((n) => n.endsWith('.json') && n !== 'config-schema.json')) {
    const schema = JSON.parse(readFileSync(join(schemaDir, f), 'utf8')) as Record<string, unknown>;
    delete schema['id'];
    ajv.addSchema(schema, f);
  }
  return ajv.compile(JSON.parse(readFileSync(join(schemaDir, 'config-schema.json'), 'utf8')) as object);
})();
