import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import manifestSchema from '../../schema/manifest.schema.json' with { type: 'json' };

/** The published JSON Schema (schema/manifest.schema.json) is the single source of the shape. */
export { manifestSchema };

let compiled: ValidateFunction | undefined;

export function schemaErrors(value: unknown): ErrorObject[] {
  compiled ??= new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(manifestSchema);
  return compiled(value) ? [] : [...(compiled.errors ?? [])];
}

/** Property names the schema allows at a given instance path, for "did you mean" hints. */
export function knownKeysAt(path: readonly (string | number)[]): string[] {
  const defs = manifestSchema.definitions;
  if (path.length === 0) return Object.keys(manifestSchema.properties);
  if (path[0] === 'users' && path.length === 2) return Object.keys(defs.user.properties);
  if (path[0] === 'groups' && path.length === 2) return Object.keys(defs.group.properties);
  if (path[0] === 'policy' && path.length === 1) return Object.keys(defs.policy.properties);
  return [];
}
