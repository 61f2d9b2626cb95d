/**
 * Issue 11 part 4: YAML tags, directives, parser warnings and merge keys. Every case asserts the
 * finding's code, line and column and that the message says what to do.
 */
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/manifest/parse.js';

const entry = (user = 'user: ada@contoso.edu', photo = 'photo: staff/ada.jpg') => `version: 1\nusers:\n  - ${user}\n    ${photo}\n`;
const only = (text: string, code: string) => parseManifest('manifests/m.yaml', text).findings.filter((f) => f.code === code);
const where = (text: string, code: string) => only(text, code).map((f) => [f.severity, f.line, f.col]);

describe('tags outside the YAML core schema are errors at the tag', () => {
  it.each([
    ['on a users entry mapping', 'version: 1\nusers:\n  - !!python/object/apply:os.system\n    user: ada@contoso.edu\n    photo: staff/ada.jpg\n', '!!python/object/apply:os.system', 3, 5],
    ['on a users entry, python/object/new', 'version: 1\nusers:\n  - !!python/object/new:subprocess.Popen\n    user: ada@contoso.edu\n    photo: staff/ada.jpg\n', '!!python/object/new:subprocess.Popen', 3, 5],
    ['on a scalar value: js/function', entry('user: ada@contoso.edu', 'photo: !!js/function "function(){}"'), '!!js/function', 4, 12],
    ['on a scalar value: js/undefined', entry('user: !!js/undefined ada@contoso.edu'), '!!js/undefined', 3, 11],
    ['a local tag on a value', entry('user: !custom ada@contoso.edu'), '!custom', 3, 11],
    ['a local tag with a named handle', '%TAG !e! tag:example.com,2000:\n---\n' + entry('user: !e!thing ada@contoso.edu'), '!e!thing', 5, 11],
    ['a named handle no %TAG defines (the parser calls it a syntax error)', entry('user: !e!x ada@contoso.edu'), '!e!x', 3, 11],
    ['a verbatim core tag', entry('user: !<tag:yaml.org,2002:str> ada@contoso.edu'), '!<tag:yaml.org,2002:str>', 3, 11],
    ['a verbatim custom tag', entry('user: !<tag:example.com,2000:exec> ada@contoso.edu'), '!<tag:example.com,2000:exec>', 3, 11],
    ['!!binary', entry('user: ada@contoso.edu', 'photo: !!binary aGVsbG8='), '!!binary', 4, 12],
    ['!!timestamp', entry('employeeId: !!timestamp 2001-12-14'), '!!timestamp', 3, 17],
    ['!!set on the users value', 'version: 1\nusers: !!set\n  ? a\n', '!!set', 2, 8],
    ['!!omap on the users sequence', 'version: 1\nusers: !!omap\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n', '!!omap', 2, 8],
    ['on a key', 'version: 1\nusers:\n  - !!python/name:os.system user: ada@contoso.edu\n    photo: staff/ada.jpg\n', '!!python/name:os.system', 3, 5],
    ['on a key, local tag', entry('!k user: ada@contoso.edu'), '!k', 3, 5],
    ['on a sequence', 'version: 1\nusers: !list\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n', '!list', 2, 8],
    ['on a flow sequence', 'version: 1\nusers: []\npolicy:\n  allowedRoles: !roles [User Administrator]\n', '!roles', 4, 17],
    ['on the document root', '--- !!python/object:__main__.Manifest\n' + entry(), '!!python/object:__main__.Manifest', 1, 5],
    ['on the document root, local', '!manifest\n' + entry().replace('version: 1\n', 'version: 1\n'), '!manifest', 1, 1],
    ['on an anchored node an alias points at', 'version: 1\nusers:\n  - user: ada@contoso.edu\n    photo: &p !!python/object/apply:os.system staff/ada.jpg\n  - user: bob@contoso.edu\n    photo: *p\n', '!!python/object/apply:os.system', 4, 15],
    ['the non-specific tag', entry('employeeId: ! 00123'), '!', 3, 17],
    ['!!str redefined by %TAG', '%TAG !! tag:example.com,2000:\n---\n' + entry('user: !!str ada@contoso.edu'), '!!str', 5, 11],
    ['!!map turned into !!omap by %TAG', '%TAG !! tag:yaml.org,2002:o\n---\nversion: 1\nusers: []\npolicy: !!map\n  source: cloud\n', '!!map', 5, 9],
  ])('%s', (_name, text, tag, line, col) => {
    const found = only(text, 'yaml-tag');
    expect(found.map((f) => [f.severity, f.file, f.line, f.col])).toEqual([['error', 'manifests/m.yaml', line, col]]);
    expect(found[0]!.message).toContain(`Remove the tag "${tag}"`);
    expect(found[0]!.message).toContain('quote it to keep it as text');
    // The parser's own "Unresolved tag" report is not repeated beside it.
    expect(parseManifest('manifests/m.yaml', text).findings.filter((f) => /Unresolved tag|Could not resolve/.test(f.message))).toEqual([]);
  });

  it('reports every tag in the file, each at its own place', () => {
    const text = '--- !doc\nversion: 1\nusers: !!seq\n  - !entry\n    !k user: !!str ada@contoso.edu\n    photo: !!binary aGVsbG8=\n';
    expect(where(text, 'yaml-tag')).toEqual([
      ['error', 1, 5],
      ['error', 4, 5],
      ['error', 5, 5],
      ['error', 6, 12],
    ]);
  });

  it('says which kind of tag it is', () => {
    expect(only(entry('user: !<tag:yaml.org,2002:str> ada@contoso.edu'), 'yaml-tag')[0]!.message).toContain('a verbatim tag');
    expect(only(entry('user: !custom ada@contoso.edu'), 'yaml-tag')[0]!.message).toContain('a custom tag');
    expect(only(entry('user: !!js/regexp /x/'), 'yaml-tag')[0]!.message).toContain('outside the core schema');
    expect(only('%TAG !! tag:example.com,2000:\n---\n' + entry('user: !!str ada@contoso.edu'), 'yaml-tag')[0]!.message).toContain('%TAG');
  });

  it('shows a tag with a line break or bidi control as escapes, on one line', () => {
    const found = only(entry('user: !<tag:x\u202e> ada@contoso.edu'), 'yaml-tag');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('\\u{202e}');
    expect(found[0]!.message).not.toMatch(/[\u202e\n]/);
  });

  it('does not read the tagged value as anything but what is written (the entry is kept, the file fails)', () => {
    const { manifest, findings } = parseManifest('m.yaml', 'version: 1\nusers:\n  - !!python/object/apply:os.system\n    user: ada@contoso.edu\n    photo: staff/ada.jpg\n');
    expect(findings.map((f) => f.code)).toEqual(['yaml-tag']);
    expect(manifest?.users.map((u) => [u.key.value, u.photo])).toEqual([['ada@contoso.edu', 'staff/ada.jpg']]);
  });
});

describe('core schema tags', () => {
  it.each([
    ['!!str on an employeeId', entry('employeeId: !!str 00123')],
    ['!!str on a key and a value', entry('!!str user: !!str ada@contoso.edu')],
    ['!!map on the document and an entry', '--- !!map\nversion: !!int 1\nusers: !!seq\n  - !!map\n    user: ada@contoso.edu\n    photo: staff/ada.jpg\n'],
    ['!!bool, !!str and !!seq where they fit', 'version: 1\nnormalise: !!bool true\nphotoRoot: !!str photos\nusers: !!seq []\n'],
  ])('are allowed: %s', (_name, text) => {
    expect(parseManifest('m.yaml', text).findings).toEqual([]);
  });

  it('keeps the leading zeros of an employeeId tagged !!str', () => {
    expect(parseManifest('m.yaml', entry('employeeId: !!str 00123')).manifest?.users[0]?.key.canonical).toBe('employeeId:00123');
  });

  it.each([
    ['!!int on text', entry('employeeId: !!int abc'), '!!int', 3, 17],
    ['!!str on a mapping', entry('user: ada@contoso.edu', 'photo: !!str {a: 1}'), '!!str', 4, 12],
    ['!!seq on a scalar', 'version: 1\nusers: !!seq none\n', '!!seq', 2, 8],
    ['!!map on a sequence', 'version: 1\nusers: !!map\n  - user: ada@contoso.edu\n    photo: staff/ada.jpg\n', '!!map', 2, 8],
  ])('are errors where they do not fit the value: %s', (_name, text, tag, line, col) => {
    const found = only(text, 'yaml-tag');
    expect(found.map((f) => [f.severity, f.line, f.col])).toEqual([['error', line, col]]);
    expect(found[0]!.message).toContain(`"${tag}" does not fit the value`);
    expect(found[0]!.message).toContain('Remove the tag');
  });
});

describe("the parser's warnings are findings", () => {
  it('an anchor ending in a colon', () => {
    const text = entry('user: ada@contoso.edu', 'photo: &p: staff/ada.jpg');
    const found = only(text, 'yaml-anchor');
    expect(found.map((f) => [f.severity, f.file, f.line, f.col])).toEqual([['warning', 'manifests/m.yaml', 4, 14]]);
    expect(found[0]!.message).toContain('Anchor ending in : is ambiguous');
    expect(found[0]!.message).toContain('write the value out in full');
  });

  it('an unknown directive', () => {
    const found = only('%FOO bar\n---\n' + entry(), 'yaml-directive');
    expect(found.map((f) => [f.severity, f.line, f.col])).toEqual([['warning', 1, 1]]);
    expect(found[0]!.message).toContain('Unknown directive %FOO');
    expect(found[0]!.message).toContain('Remove the "%" line');
  });

  it('an unsupported YAML version', () => {
    const found = only('%YAML 1.3\n---\n' + entry(), 'yaml-directive');
    expect(found.map((f) => [f.severity, f.line, f.col])).toEqual([['warning', 1, 7]]);
    expect(found[0]!.message).toContain('Unsupported YAML version 1.3');
  });

  it('"%YAML 1.1" is an error: it would change what plain values mean', () => {
    const text = '%YAML 1.1\n---\n' + entry('user: ada@contoso.edu', 'photo: staff/ada.jpg');
    const found = only(text, 'yaml-version');
    expect(found.map((f) => [f.severity, f.line, f.col])).toEqual([['error', 1, 1]]);
    expect(found[0]!.message).toContain('yes/no/on/off');
    expect(found[0]!.message).toContain('Remove the %YAML line');
    expect(parseManifest('m.yaml', '%YAML 1.2\n---\n' + entry()).findings).toEqual([]);
  });

  it('a warning does not hide the errors of the same file', () => {
    const codes = parseManifest('m.yaml', '%FOO bar\n---\nversion: 1\nusers:\n  - user: nobody\n    photo: a.jpg\n').findings.map((f) => f.code);
    expect(codes).toEqual(['yaml-directive', 'invalid-user-key']);
  });
});

describe('merge keys are refused at the "<<"', () => {
  const message = 'Merge keys ("<<:") are not supported in manifests. Write the keys out in this entry instead';

  it('an entry merging another entry through an anchor', () => {
    const text = 'version: 1\nusers:\n  - &ada\n    user: ada@contoso.edu\n    photo: staff/ada.jpg\n  - <<: *ada\n    user: bob@contoso.edu\n';
    const { findings, manifest } = parseManifest('manifests/m.yaml', text);
    // One clear finding: not also "unknown key <<" and "missing photo".
    expect(findings.map((f) => [f.severity, f.code, f.file, f.line, f.col])).toEqual([['error', 'yaml-merge-key', 'manifests/m.yaml', 6, 5]]);
    expect(findings[0]!.message).toContain(message);
    expect(findings[0]!.message).toContain('top level (crop:, normalise:, photoRoot:)');
    expect(manifest?.users.map((u) => u.key.value)).toEqual(['ada@contoso.edu']);
  });

  it('a merge of a list of anchors, and a merge of an inline mapping', () => {
    const text =
      'version: 1\nusers:\n  - &a\n    user: ada@contoso.edu\n    photo: staff/ada.jpg\n  - &c\n    user: cy@contoso.edu\n    photo: staff/cy.jpg\n    crop: attention\n' +
      '  - <<: [*a, *c]\n    user: bob@contoso.edu\n  - user: dee@contoso.edu\n    <<: {photo: staff/dee.jpg}\n';
    const { findings } = parseManifest('m.yaml', text);
    expect(findings.map((f) => [f.code, f.line, f.col])).toEqual([
      ['yaml-merge-key', 10, 5],
      ['yaml-merge-key', 13, 5],
    ]);
  });

  it('a merge key at the top level', () => {
    const text = 'defaults: &d\n  version: 1\n<<: *d\nusers: []\n';
    const found = parseManifest('m.yaml', text).findings;
    expect(found.filter((f) => f.code === 'yaml-merge-key').map((f) => [f.line, f.col])).toEqual([[3, 1]]);
    // Other problems of the file are still reported.
    expect(found.some((f) => f.code === 'unknown-key' && f.message.includes('"defaults"'))).toBe(true);
  });

  it('a merge key under %YAML 1.1, where the parser would merge', () => {
    const text = '%YAML 1.1\n---\nversion: 1\nusers:\n  - &ada\n    user: ada@contoso.edu\n    photo: staff/ada.jpg\n  - <<: *ada\n    user: bob@contoso.edu\n';
    const codes = parseManifest('m.yaml', text).findings.map((f) => [f.code, f.line]);
    expect(codes).toEqual([
      ['yaml-version', 1],
      ['yaml-merge-key', 8],
    ]);
  });

  it('a quoted "<<" is an ordinary (unknown) key', () => {
    const text = entry('user: ada@contoso.edu', 'photo: staff/ada.jpg\n    "<<": x');
    const found = parseManifest('m.yaml', text).findings;
    expect(found.map((f) => f.code)).toEqual(['unknown-key']);
  });
});

describe('data in parse messages stays on its line', () => {
  it('an unknown key with a newline and a bidi override', () => {
    const found = parseManifest('m.yaml', 'version: 1\n"bad\\nkey\\u202e": 1\n').findings;
    expect(found.map((f) => f.code)).toEqual(['unknown-key']);
    expect(found[0]!.message).toContain('"bad\\nkey\\u{202e}"');
  });

  it('a role name and a photoRoot', () => {
    const role = parseManifest('m.yaml', 'version: 1\npolicy:\n  allowedRoles: ["Admin\\r\\n::error::x"]\n').findings;
    expect(role[0]!.code).toBe('unknown-role');
    expect(role[0]!.message).toContain('"Admin\\r\\n::error::x"');
    const root = parseManifest('m.yaml', 'version: 1\nphotoRoot: "../x\\ny"\n').findings;
    expect(root[0]!.code).toBe('photo-root-outside-repo');
    expect(root[0]!.message).toContain('"../x\\ny"');
  });

  it('a user key', () => {
    const found = parseManifest('m.yaml', entry('user: "a\\u2028b"')).findings;
    expect(found[0]!.code).toBe('invalid-user-key');
    expect(found[0]!.message).not.toMatch(/[\u2028\n]/);
  });

  it('an enum value', () => {
    const found = parseManifest('m.yaml', 'version: 1\ncrop: "top\\u202eleft"\n').findings;
    expect(found[0]!.code).toBe('schema');
    expect(found[0]!.message).toContain('\\u{202e}');
  });
});
