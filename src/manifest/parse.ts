import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { Finding } from '../core/findings.js';
import { closest } from '../core/text.js';
import { printable } from '../core/untrusted.js';
import { resolveRole, PHOTO_UPDATE_ROLES, type DirectoryRole } from './roles.js';
import { knownKeysAt, schemaErrors } from './schema.js';
import { DEFAULT_PHOTO_ROOT, TARGET_NAMES, type Crop, type Manifest, type ManifestPolicy, type ManifestTargets, type ManifestUser, type SourceRef, type TargetName } from './types.js';
import { parseEmployeeId, parseGoogleKey, parseGroupKey, parseUserKey, type UserKey } from './userKey.js';
import { nodeAt, parseInstancePath, parseYaml, positionOf, type Position, type SourceMark, type YamlProblem, type YamlSource } from './yamlSource.js';

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
    error('yaml-syntax', { line: 1, col: 1 }, `The YAML could not be parsed (${printable((err as Error).message)}). Manifests are flat lists; remove the deep nesting.`);
    return { findings };
  }
  const { source, problems, warnings } = parsed;

  // Tags first: the parser reports a tag it cannot resolve as an error or a warning in its own
  // words; the finding for the tag itself says what to do, so those reports are not repeated.
  const refusedTags = checkTags(parsed, error);
  const aboutRefusedTag = (p: YamlProblem) => (p.code === 'TAG_RESOLVE_FAILED' || p.code === 'BAD_COLLECTION_TYPE') && refusedTags.has(placeKey(p));
  checkDirectives(parsed, error);

  let syntaxErrors = 0;
  for (const p of problems) {
    if (aboutRefusedTag(p)) continue;
    syntaxErrors++;
    if (p.code === 'DUPLICATE_KEY') {
      error('duplicate-key', p, `${printable(p.message)}. A key may appear once per entry: keep one of them.`);
    } else if (/call stack/i.test(p.message)) {
      // The parser recurses per nesting level and reports absurd nesting as a stack overflow.
      error('yaml-syntax', p, 'The YAML is nested too deeply to read. Manifests are flat lists of users: remove the deep nesting.');
      break;
    } else if (p.code === 'TAG_RESOLVE_FAILED' || p.code === 'BAD_COLLECTION_TYPE') {
      error('yaml-tag', p, `${printable(p.message)}. Remove the tag: manifests need none (quote a value to keep it as text).`);
    } else {
      error('yaml-syntax', p, `YAML syntax error: ${printable(p.message)}. Check the indentation (spaces, not tabs) and that each "key: value" has a space after the colon.`);
    }
  }
  for (const w of warnings) {
    if (aboutRefusedTag(w)) continue;
    const finding = describeWarning(w, parsed.tags);
    findings.push({ severity: finding.severity, code: finding.code, file, line: w.line, col: w.col, message: finding.message });
  }
  if (syntaxErrors > 0) return { findings };
  const mergeMaps = checkMergeKeys(source, text, error);

  let value: unknown;
  try {
    value = source.doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    error('yaml-aliases', { line: 1, col: 1 }, `The YAML expands too far through aliases (${printable((err as Error).message)}). Write entries out in full instead of using & anchors and * aliases.`);
    return { findings };
  }
  if (value === null || value === undefined) {
    findings.push({ severity: 'warning', code: 'manifest-empty', file, line: 1, col: 1, message: 'The manifest is empty. Add "version: 1" and a users list, or delete the file.' });
    return { findings };
  }

  for (const e of schemaErrors(value)) {
    const finding = describeSchemaError(e, source, value, mergeMaps);
    if (finding) error(finding.code, finding.pos, finding.message);
  }
  if (!isPlainObject(value)) return { findings };

  const photoRootNode = nodeAt(source, ['photoRoot']).node;
  const photoRoot = typeof value.photoRoot === 'string' ? normalisePhotoRoot(value.photoRoot) : DEFAULT_PHOTO_ROOT;
  if (photoRoot === undefined) {
    error('photo-root-outside-repo', positionOf(source, photoRootNode), `photoRoot "${printable(String(value.photoRoot))}" must be a folder inside the repository, written relative to its root (e.g. "photos"), without "..", a leading "/" or backslashes.`);
    return { findings };
  }
  const fileCrop = readCrop(value.crop) ?? 'centre';
  const normalise = typeof value.normalise === 'boolean' ? value.normalise : true;

  /** What every `users:` and `groups:` entry holds once its key has parsed (the caller checked `photo` is a string). */
  const entryOf = (list: 'users' | 'groups', index: number, entry: Record<string, unknown>, key: UserKey, keyPos: Position): ManifestUser => {
    const name = typeof entry.name === 'string' ? entry.name.trim() : '';
    return {
      key,
      ...(name ? { name } : {}),
      photo: entry.photo as string,
      crop: readCrop(entry.crop) ?? fileCrop,
      normalise,
      keyAt: at(keyPos),
      photoAt: at(positionOf(source, nodeAt(source, [list, index, 'photo']).node)),
    };
  };

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
        error('invalid-user-key', keyPos, printable(keyResult.message));
        return;
      }
      let google: { key: UserKey; at: SourceRef } | undefined;
      if (typeof entry.google === 'string') {
        const googlePos = positionOf(source, nodeAt(source, ['users', index, 'google']).node);
        const googleResult = parseGoogleKey(entry.google);
        if (!googleResult.ok) {
          error('invalid-google-key', googlePos, printable(googleResult.message));
          return;
        }
        google = { key: googleResult.key, at: at(googlePos) };
      }
      users.push({ ...entryOf('users', index, entry, keyResult.key, keyPos), ...(google ? { google: google.key, googleAt: google.at } : {}) });
    });
  }

  const groups: ManifestUser[] = [];
  if (Array.isArray(value.groups)) {
    value.groups.forEach((entry, index) => {
      if (!isPlainObject(entry) || typeof entry.photo !== 'string' || typeof entry.group !== 'string') return; // reported by the schema
      const keyPos = positionOf(source, nodeAt(source, ['groups', index, 'group']).node);
      const keyResult = parseGroupKey(entry.group);
      if (!keyResult.ok) {
        error('invalid-group-key', keyPos, printable(keyResult.message));
        return;
      }
      groups.push(entryOf('groups', index, entry, keyResult.key, keyPos));
    });
  }

  const policy = isPlainObject(value.policy) ? readPolicy(value.policy, source, at, error) : undefined;
  const targets = readTargets(value.targets, source, at);
  const manifest: Manifest = { file, photoRoot, users, groups, ...(policy ? { policy } : {}), ...(targets ? { targets } : {}) };
  if (photoRootNode) manifest.photoRootAt = at(positionOf(source, photoRootNode));
  return { manifest, findings };
}

type Report = (code: string, pos: Position, message: string) => void;

const placeKey = (p: Position) => `${p.line}:${p.col}`;

/**
 * Tags of the YAML 1.2 core schema, spelled with the standard `!!` handle. They only restate what
 * plain YAML already means (`employeeId: !!str 00123` is the same as quoting it), so they are
 * allowed; a tag that does not fit its value (`!!int abc`) is still an error, from the parser.
 * Every other tag is refused: `!!python/object/apply:...`, `!!js/function` and friends ask other
 * YAML tools to run code or build objects; `!!binary`, `!!timestamp`, `!!set`, `!!omap` are
 * YAML 1.1 types this parser would quietly turn into bytes, dates or sets; local `!foo` tags and
 * verbatim `!<tag:...>` tags mean nothing here (even `!<tag:yaml.org,2002:str>`: a manifest
 * has no reason to spell a tag that way, and refusing every verbatim form is easy to explain).
 */
const CORE_TAGS = new Set(['!!str', '!!int', '!!float', '!!bool', '!!null', '!!map', '!!seq']);
const CORE_PREFIX = 'tag:yaml.org,2002:';

/** Reports every tag outside the core schema, wherever it is; returns the places reported. */
function checkTags({ source, tags }: { source: YamlSource; tags: readonly SourceMark[] }, error: Report): Set<string> {
  const refused = new Set<string>();
  // A %TAG directive can give `!!` another meaning (`!!map` could then be an omap).
  const standardHandle = source.doc.directives?.tags['!!'] === CORE_PREFIX;
  for (const tag of tags) {
    if (standardHandle && CORE_TAGS.has(tag.source)) continue;
    refused.add(placeKey(tag));
    const shown = printable(tag.source);
    const why = tag.source.startsWith('!<')
      ? 'a verbatim tag'
      : tag.source.startsWith('!!')
        ? standardHandle
          ? 'a YAML tag outside the core schema'
          : 'a tag whose "!!" a %TAG directive in this file redefines'
        : 'a custom tag';
    error(
      'yaml-tag',
      tag,
      `Remove the tag "${shown}" (${why}): tags mean nothing in a manifest, and other YAML tools may run code or build objects from them. Write the value plainly; quote it to keep it as text (e.g. employeeId: "00123").`,
    );
  }
  return refused;
}

/** `%YAML 1.1` changes what plain values mean (yes/no become true/false, "<<" merges): refused. */
function checkDirectives({ source, directives }: { source: YamlSource; directives: readonly SourceMark[] }, error: Report): void {
  if (source.doc.directives?.yaml.version !== '1.1') return;
  const at = directives.find((d) => /^%YAML\b/.test(d.source)) ?? { line: 1, col: 1 };
  error(
    'yaml-version',
    at,
    'This manifest declares "%YAML 1.1", under which yes/no/on/off are read as true/false, 0123 as an octal number and "<<" as a merge key, so it would not mean what it says. Remove the %YAML line: manifests are read as YAML 1.2.',
  );
}

/** A parser warning as a finding: what the parser did, and what to write instead. */
function describeWarning(w: YamlProblem, tags: readonly SourceMark[]): { severity: 'error' | 'warning'; code: string; message: string } {
  const said = printable(w.message);
  switch (w.code) {
    case 'TAG_RESOLVE_FAILED':
    case 'BAD_COLLECTION_TYPE': {
      // An allowed core tag on a value it does not fit (`!!int abc`, `!!str {a: 1}`): the
      // parser ignores the tag and keeps going, which is not what the author asked for.
      const tag = tags.find((t) => t.line === w.line && t.col === w.col);
      const shown = tag ? `"${printable(tag.source)}"` : 'The tag';
      return { severity: 'error', code: 'yaml-tag', message: `${shown} does not fit the value it is on (${said}). Remove the tag; quote the value if it is text.` };
    }
    case 'BAD_ALIAS':
      return { severity: 'warning', code: 'yaml-anchor', message: `${said}. Put a space before the colon, or better, write the value out in full instead of using & anchors and * aliases.` };
    case 'BAD_INDENT':
      return { severity: 'warning', code: 'yaml-indent', message: `${said}. Indent the continuation lines further than the key they belong to, or write the [...] list on one line.` };
    case 'BAD_DIRECTIVE':
      return { severity: 'warning', code: 'yaml-directive', message: `${said}; the line is ignored. Remove the "%" line: manifests need no directives.` };
    default:
      return { severity: 'warning', code: 'yaml-warning', message: `The YAML parser warns: ${said}. Check this line, and write it as plain "key: value" YAML.` };
  }
}

/**
 * Merge keys (`<<: *defaults`) are refused, with a finding at the "<<".
 *
 * They are a YAML 1.1 feature (manifests are read as 1.2, where "<<" is an ordinary key), and
 * the choice a school IT admin would expect is the plainest one: every users entry reads on its
 * own in a pull request's diff, so a reviewer sees which photo goes to whom without chasing an
 * anchor elsewhere in the file; a merged value has no line of its own for findings to point at;
 * and what a manifest could share is already a file-level setting (crop, normalise, photoRoot).
 * Supporting them (yaml's `merge: true`) would also make an override inside an entry silently
 * win over the merged value, where duplicate keys are otherwise errors.
 *
 * Returns the mappings holding a merge key, so the schema's "unknown key <<" and "missing photo"
 * for them are not reported a second time.
 */
function checkMergeKeys(source: YamlSource, text: string, error: Report): Set<Node> {
  const maps = new Set<Node>();
  if (!text.includes('<<')) return maps;
  const keys: Node[] = [];
  // Iterative, and aliases are not followed: each node is looked at once, where it is written.
  const stack: unknown[] = [source.doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isMergeKey(pair.key)) {
          maps.add(node as YAMLMap as Node);
          keys.push(pair.key as Node);
        }
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isPair(node)) {
      stack.push(node.key, node.value);
    }
  }
  keys.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
  for (const key of keys) {
    error(
      'yaml-merge-key',
      positionOf(source, key),
      'Merge keys ("<<:") are not supported in manifests. Write the keys out in this entry instead (user: or employeeId:, photo:, and crop: if needed); settings shared by the whole file go at its top level (crop:, normalise:, photoRoot:).',
    );
  }
  return maps;
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const value = key.value;
  // Plain `<<` only: a quoted "<<" is an ordinary (unknown) key in every YAML version. Under
  // `%YAML 1.1` the parser turns a plain `<<` into a symbol.
  if (typeof value === 'symbol') return value.description === '<<';
  return value === '<<' && (!key.type || key.type === 'PLAIN');
}

/** `targets:` when it is a valid list (the schema reports the rest): names in the order written. */
function readTargets(value: unknown, source: YamlSource, at: (p: { line: number; col: number }) => SourceRef): ManifestTargets | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (!value.every((name): name is TargetName => (TARGET_NAMES as readonly unknown[]).includes(name))) return undefined;
  if (new Set(value).size !== value.length) return undefined;
  return { names: [...value], at: at(positionOf(source, nodeAt(source, ['targets']).key)) };
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
        `"${printable(name)}" is not a role that can update photos.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Allowed: ${PHOTO_UPDATE_ROLES.map((r) => r.name).join(', ')} (or their role template ids).`,
      );
    });
    result.allowedRoles = roles;
  }
  return result;
}

function describeSchemaError(
  e: ErrorObject,
  source: YamlSource,
  root: unknown,
  mergeMaps: ReadonlySet<Node> = new Set(),
): { code: string; pos: { line: number; col: number }; message: string } | undefined {
  // Errors inside oneOf branches restate the oneOf failure in schema terms; the oneOf error
  // itself gets a message written for people.
  if (e.schemaPath.includes('/oneOf/')) return undefined;
  const path = parseInstancePath(e.instancePath);
  const { node, key } = nodeAt(source, path);
  // A mapping with a merge key has its own finding at the "<<": the "<<" key itself and the keys
  // the merge was meant to bring in are not reported again as unknown or missing.
  if (node && mergeMaps.has(node)) {
    if (e.keyword === 'required' || e.keyword === 'oneOf') return undefined;
    if (e.keyword === 'additionalProperties' && (e.params as { additionalProperty: string }).additionalProperty === '<<') return undefined;
  }
  const where = describePath(path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String((e.params as { additionalProperty: string }).additionalProperty);
      const keyNode = findKey(node, name);
      const suggestion = closest(name, knownKeysAt(path));
      return {
        code: 'unknown-key',
        pos: positionOf(source, keyNode ?? node),
        message: `Unknown key "${printable(name)}" in ${printable(where)}.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Allowed keys: ${knownKeysAt(path).join(', ')}.`,
      };
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      const advice = missing === 'version' ? 'Add "version: 1" at the top of the file.' : `Add "${missing}:" to it.`;
      return { code: 'missing-key', pos: positionOf(source, node), message: printable(`${capitalise(where)} is missing "${missing}". ${advice}`) };
    }
    case 'oneOf': {
      const entry = valueAt(root, path);
      const both = isPlainObject(entry) && 'user' in entry && 'employeeId' in entry;
      return {
        code: both ? 'ambiguous-user-key' : 'missing-user-key',
        pos: positionOf(source, node),
        message: both
          ? `${capitalise(printable(where))} has both "user" and "employeeId". Keep one: a user is matched by exactly one key.`
          : `${capitalise(printable(where))} does not say who it is for. Add "user:" (userPrincipalName, mail or object id) or "employeeId:".`,
      };
    }
    case 'type': {
      const expected = String((e.params as { type: string }).type);
      const actual = valueAt(root, path);
      const last = path[path.length - 1];
      if (last === 'employeeId' && typeof actual === 'number') {
        return { code: 'schema', pos: positionOf(source, node), message: `employeeId ${String(actual)} is written as a number, which loses leading zeros. Quote it: employeeId: "${printable(sourceText(node) ?? String(actual))}".` };
      }
      return { code: 'schema', pos: positionOf(source, node ?? key), message: printable(`${capitalise(where)} must be ${article(expected)} (found ${describeValue(actual)}).`) };
    }
    case 'const':
      return { code: 'unsupported-version', pos: positionOf(source, node), message: `Unsupported manifest version ${printable(String(JSON.stringify(valueAt(root, path))))}. Write "version: 1".` };
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      return { code: 'schema', pos: positionOf(source, node), message: printable(`${capitalise(where)} is ${String(JSON.stringify(valueAt(root, path)))}; it must be one of ${allowed}.`) };
    }
    case 'uniqueItems':
      return { code: 'schema', pos: positionOf(source, node), message: `${capitalise(printable(where))} lists the same value twice. Remove the repetition.` };
    case 'minLength':
      return { code: 'schema', pos: positionOf(source, node), message: `${capitalise(printable(where))} is empty. Give it a value or remove the key.` };
    default:
      return { code: 'schema', pos: positionOf(source, node), message: printable(`${capitalise(where)} ${e.message ?? 'is invalid'}.`) };
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
  const [list, index] = path;
  if ((list === 'users' || list === 'groups') && typeof index === 'number') {
    const rest = path.slice(2);
    return rest.length ? `"${rest.join('.')}" of ${list} entry ${index + 1}` : `${list} entry ${index + 1}`;
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

