import type { ErrorObject } from 'ajv';
import { isMap, type Node } from 'yaml';
import type { Finding } from '../core/findings.js';
import { closest } from '../core/text.js';
import { resolveRole, PHOTO_UPDATE_ROLES, type DirectoryRole } from './roles.js';
import { knownKeysAt, schemaErrors } from './schema.js';
import { DEFAULT_PHOTO_ROOT, type Crop, type Manifest, type ManifestPolicy, type ManifestUser, type SourceRef } from './types.js';
import { parseEmployeeId, parseUserKey } from './userKey.js';
import { nodeAt, parseInstancePath, parseYaml, positionOf, type YamlSource } from './yamlSource.js';

/** Manifests are text written by people; anything this big is a mistake or an attack. */
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;
/** YAML aliases let a tiny file expand exponentially ("billion laughs"); real manifests need none. */
const MAX_ALIASES = 100;

export interface ParsedManifest {
  manifest?: Manifest;
  findings: Finding[];
}

/**
 * Parses one manifest file. Findings carry file:line:col. Entries that are individually valid are
 * kept even when others are not, so one run reports every problem in the repository.
 */
export function parseManifest(file: string, text: string): ParsedManifest {
  const findings: Finding[] = [];
  const at = (pos: { line: number; col: number }): SourceRef => ({ file, line: pos.line, col: pos.col });
  const error = (code: string, pos: { line: number; col: number }, message: string) =>
    findings.push({ severity: 'error', code, file, line: pos.line, col: pos.col, message });

  if (text.length > MAX_MANIFEST_BYTES) {
    error('manifest-too-large', { line: 1, col: 1 }, `The manifest is ${text.length} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit. Split it into several files under manifests/.`);
    return { findings };
  }

  let parsed: ReturnType<typeof parseYaml>;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    // The parser recurses per nesting level; absurd nesting overflows the stack.
    error('yaml-syntax', { line: 1, col: 1 }, `The YAML could not be parsed (${(err as Error).message}). Manifests are flat lists; remove the deep nesting.`);
    return { findings };
  }
  const { source, problems } = parsed;
  for (const p of problems) {
    if (p.code === 'DUPLICATE_KEY') {
      error('duplicate-key', p, `${p.message}. A key may appear once per entry: keep one of them.`);
    } else if (/call stack/i.test(p.message)) {
      // The parser recurses per nesting level and reports absurd nesting as a stack overflow.
      error('yaml-syntax', p, 'The YAML is nested too deeply to read. Manifests are flat lists of users: remove the deep nesting.');
      break;
    } else {
      error('yaml-syntax', p, `YAML syntax error: ${p.message}. Check the indentation (spaces, not tabs) and that each "key: value" has a space after the colon.`);
    }
  }
  if (problems.length > 0) return { findings };

  let value: unknown;
  try {
    value = source.doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    error('yaml-aliases', { line: 1, col: 1 }, `The YAML expands too far through aliases (${(err as Error).message}). Write entries out in full instead of using & anchors and * aliases.`);
    return { findings };
  }
  if (value === null || value === undefined) {
    findings.push({ severity: 'warning', code: 'manifest-empty', file, line: 1, col: 1, message: 'The manifest is empty. Add "version: 1" and a users list, or delete the file.' });
    return { findings };
  }

  for (const e of schemaErrors(value)) {
    const finding = describeSchemaError(e, source, value);
    if (finding) error(finding.code, finding.pos, finding.message);
  }
  if (!isPlainObject(value)) return { findings };

  const photoRootNode = nodeAt(source, ['photoRoot']).node;
  const photoRoot = typeof value.photoRoot === 'string' ? normalisePhotoRoot(value.photoRoot) : DEFAULT_PHOTO_ROOT;
  if (photoRoot === undefined) {
    error('photo-root-outside-repo', positionOf(source, photoRootNode), `photoRoot "${String(value.photoRoot)}" must be a folder inside the repository, written relative to its root (e.g. "photos"), without "..", a leading "/" or backslashes.`);
    return { findings };
  }
  const fileCrop = readCrop(value.crop) ?? 'centre';
  const normalise = typeof value.normalise === 'boolean' ? value.normalise : true;

  const users: ManifestUser[] = [];
  if (Array.isArray(value.users)) {
    value.users.forEach((entry, index) => {
      if (!isPlainObject(entry) || typeof entry.photo !== 'string') return;
      const hasUser = typeof entry.user === 'string';
      const hasEmployeeId = typeof entry.employeeId === 'string';
      if (hasUser === hasEmployeeId) return; // reported by the schema (oneOf)
      const keyField = hasUser ? 'user' : 'employeeId';
      const keyPos = positionOf(source, nodeAt(source, ['users', index, keyField]).node);
      const keyResult = hasUser ? parseUserKey(entry.user as string) : parseEmployeeId(entry.employeeId as string);
      if (!keyResult.ok) {
        error('invalid-user-key', keyPos, keyResult.message);
        return;
      }
      users.push({
        key: keyResult.key,
        photo: entry.photo,
        crop: readCrop(entry.crop) ?? fileCrop,
        normalise,
        keyAt: at(keyPos),
        photoAt: at(positionOf(source, nodeAt(source, ['users', index, 'photo']).node)),
      });
    });
  }

  const policy = isPlainObject(value.policy) ? readPolicy(value.policy, source, at, error) : undefined;
  const manifest: Manifest = { file, photoRoot, users, ...(policy ? { policy } : {}) };
  if (photoRootNode) manifest.photoRootAt = at(positionOf(source, photoRootNode));
  return { manifest, findings };
}

function readPolicy(
  policy: Record<string, unknown>,
  source: YamlSource,
  at: (p: { line: number; col: number }) => SourceRef,
  error: (code: string, pos: { line: number; col: number }, message: string) => void,
): ManifestPolicy {
  const result: ManifestPolicy = { at: at(positionOf(source, nodeAt(source, ['policy']).key)) };
  if (policy.source === 'cloud' || policy.source === 'onPremises') result.source = policy.source;
  if (Array.isArray(policy.allowedRoles)) {
    const roles: DirectoryRole[] = [];
    policy.allowedRoles.forEach((name, index) => {
      if (typeof name !== 'string') return;
      const role = resolveRole(name);
      if (role) {
        if (!roles.includes(role)) roles.push(role);
        return;
      }
      const pos = positionOf(source, nodeAt(source, ['policy', 'allowedRoles', index]).node);
      const suggestion = closest(name, PHOTO_UPDATE_ROLES.map((r) => r.name));
      error(
        'unknown-role',
        pos,
        `"${name}" is not a role that can update photos.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Allowed: ${PHOTO_UPDATE_ROLES.map((r) => r.name).join(', ')} (or their role template ids).`,
      );
    });
    result.allowedRoles = roles;
  }
  return result;
}

function describeSchemaError(e: ErrorObject, source: YamlSource, root: unknown): { code: string; pos: { line: number; col: number }; message: string } | undefined {
  // Errors inside oneOf branches restate the oneOf failure in schema terms; the oneOf error
  // itself gets a message written for people.
  if (e.schemaPath.includes('/oneOf/')) return undefined;
  const path = parseInstancePath(e.instancePath);
  const { node, key } = nodeAt(source, path);
  const where = describePath(path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      const keyNode = findKey(node, name);
      const suggestion = closest(name, knownKeysAt(path));
      return {
        code: 'unknown-key',
        pos: positionOf(source, keyNode ?? node),
        message: `Unknown key "${name}" in ${where}.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Allowed keys: ${knownKeysAt(path).join(', ')}.`,
      };
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      const advice = missing === 'version' ? 'Add "version: 1" at the top of the file.' : `Add "${missing}:" to it.`;
      return { code: 'missing-key', pos: positionOf(source, node), message: `${capitalise(where)} is missing "${missing}". ${advice}` };
    }
    case 'oneOf': {
      const entry = valueAt(root, path);
      const both = isPlainObject(entry) && 'user' in entry && 'employeeId' in entry;
      return {
        code: both ? 'ambiguous-user-key' : 'missing-user-key',
        pos: positionOf(source, node),
        message: both
          ? `${capitalise(where)} has both "user" and "employeeId". Keep one: a user is matched by exactly one key.`
          : `${capitalise(where)} does not say who it is for. Add "user:" (userPrincipalName, mail or object id) or "employeeId:".`,
      };
    }
    case 'type': {
      const expected = String((e.params as { type: string }).type);
      const actual = valueAt(root, path);
      const last = path[path.length - 1];
      if (last === 'employeeId' && typeof actual === 'number') {
        return { code: 'schema', pos: positionOf(source, node), message: `employeeId ${String(actual)} is written as a number, which loses leading zeros. Quote it: employeeId: "${sourceText(node) ?? String(actual)}".` };
      }
      return { code: 'schema', pos: positionOf(source, node ?? key), message: `${capitalise(where)} must be ${article(expected)} (found ${describeValue(actual)}).` };
    }
    case 'const':
      return { code: 'unsupported-version', pos: positionOf(source, node), message: `Unsupported manifest version ${JSON.stringify(valueAt(root, path))}. Write "version: 1".` };
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      return { code: 'schema', pos: positionOf(source, node), message: `${capitalise(where)} is ${JSON.stringify(valueAt(root, path))}; it must be one of ${allowed}.` };
    }
    case 'uniqueItems':
      return { code: 'schema', pos: positionOf(source, node), message: `${capitalise(where)} lists the same value twice. Remove the repetition.` };
    case 'minLength':
      return { code: 'schema', pos: positionOf(source, node), message: `${capitalise(where)} is empty. Give it a value or remove the key.` };
    default:
      return { code: 'schema', pos: positionOf(source, node), message: `${capitalise(where)} ${e.message ?? 'is invalid'}.` };
  }
}

function findKey(mapNode: Node | undefined, name: string): Node | undefined {
  if (!isMap(mapNode)) return undefined;
  for (const pair of mapNode.items) {
    const k = pair.key as { value?: unknown } | null;
    if (k && String(k.value) === name) return pair.key as Node;
  }
  return undefined;
}

/** The scalar as spelled in the file (e.g. 00123, which the parser reads as 123). */
function sourceText(node: Node | undefined): string | undefined {
  const original = (node as { source?: unknown } | undefined)?.source;
  return typeof original === 'string' ? original : undefined;
}

function describePath(path: readonly (string | number)[]): string {
  if (path.length === 0) return 'the manifest';
  if (path[0] === 'users' && typeof path[1] === 'number') {
    const rest = path.slice(2);
    return rest.length ? `"${rest.join('.')}" of users entry ${path[1] + 1}` : `users entry ${path[1] + 1}`;
  }
  return `"${path.join('.')}"`;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = root;
  for (const step of path) v = (v as Record<string | number, unknown> | undefined)?.[step];
  return v;
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'nothing';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function article(type: string): string {
  const names: Record<string, string> = { array: 'a list', object: 'a mapping (key: value)', string: 'text', boolean: 'true or false', integer: 'a whole number', number: 'a number' };
  return names[type] ?? `of type ${type}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function readCrop(v: unknown): Crop | undefined {
  if (v === 'centre' || v === 'center') return 'centre';
  if (v === 'attention') return 'attention';
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Normalises a photoRoot; undefined when it is absolute, escapes the repository or uses backslashes. */
export function normalisePhotoRoot(root: string): string | undefined {
  if (root.includes('\\') || root.startsWith('/') || /^[A-Za-z]:/.test(root) || root.startsWith('~')) return undefined;
  const parts: string[] = [];
  for (const part of root.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length ? parts.join('/') : undefined;
}

