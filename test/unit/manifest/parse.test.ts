import { describe, expect, it } from 'vitest';
import { normalisePhotoRoot, parseManifest } from '../../../src/manifest/parse.js';
import { resolveRole } from '../../../src/manifest/roles.js';
import { parseEmployeeId, parseUserKey } from '../../../src/manifest/userKey.js';

describe('parseManifest', () => {
  it('reads the DESIGN.md example with positions for every entry', () => {
    const text = `version: 1
photoRoot: photos
users:
  - user: ada@contoso.edu
    photo: staff/ada.jpg
  - user: 0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01
    photo: students/10023.jpg
    crop: attention
policy:
  source: cloud
  allowedRoles: [User Administrator, 62e90394-69f5-4237-9190-012177145e10]
`;
    const { manifest, findings } = parseManifest('manifests/a.yaml', text);
    expect(findings).toEqual([]);
    expect(manifest?.photoRoot).toBe('photos');
    expect(manifest?.users.map((u) => [u.key.canonical, u.photo, u.crop, u.keyAt.line, u.photoAt.line, u.photoAt.col])).toEqual([
      ['upn:ada@contoso.edu', 'staff/ada.jpg', 'centre', 4, 5, 12],
      ['objectId:0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01', 'students/10023.jpg', 'attention', 6, 7, 12],
    ]);
    expect(manifest?.policy?.source).toBe('cloud');
    expect(manifest?.policy?.allowedRoles?.map((r) => r.name)).toEqual(['User Administrator', 'Global Administrator']);
    expect(manifest?.policy?.at.line).toBe(9);
  });

  it('keeps valid entries when another entry is invalid, so one run reports everything', () => {
    const { manifest, findings } = parseManifest('m.yaml', 'version: 1\nusers:\n  - user: nobody\n    photo: a.jpg\n  - user: ok@contoso.edu\n    photo: b.jpg\n');
    expect(findings.map((f) => [f.code, f.line])).toEqual([['invalid-user-key', 3]]);
    expect(manifest?.users.map((u) => u.key.value)).toEqual(['ok@contoso.edu']);
  });

  it('accepts "center" as a spelling of centre and defaults photoRoot to photos', () => {
    const { manifest } = parseManifest('m.yaml', 'version: 1\ncrop: center\nusers:\n  - employeeId: "007"\n    photo: a.jpg\n');
    expect(manifest?.photoRoot).toBe('photos');
    expect(manifest?.users[0]?.crop).toBe('centre');
    expect(manifest?.users[0]?.key.canonical).toBe('employeeId:007');
  });

  it('does not treat YAML 1.1 booleans as booleans (no: stays a string)', () => {
    const { findings } = parseManifest('m.yaml', 'version: 1\nusers:\n  - user: no\n    photo: a.jpg\n');
    expect(findings[0]?.code).toBe('invalid-user-key');
    expect(findings[0]?.message).toContain('"no"');
  });

  it('refuses a file over the size limit without parsing it', () => {
    const { findings } = parseManifest('m.yaml', 'x'.repeat(33 * 1024 * 1024));
    expect(findings[0]?.code).toBe('manifest-too-large');
  });

  it('survives absurdly deep nesting with a finding instead of a crash', () => {
    const deep = 'version: 1\nusers: ' + '['.repeat(20000) + ']'.repeat(20000) + '\n';
    const { findings } = parseManifest('m.yaml', deep);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
  });
});

describe('user keys', () => {
  it('normalises UPNs and GUIDs case-insensitively', () => {
    const a = parseUserKey('Ada@Contoso.EDU');
    const b = parseUserKey(' 0B6C2F0E-3C1D-4A3E-9F7A-2D5E8C1B9A01 ');
    expect(a.ok && a.key.canonical).toBe('upn:ada@contoso.edu');
    expect(b.ok && b.key.canonical).toBe('objectId:0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01');
  });
  it.each(['a b@c.edu', 'a/b@c.edu', 'a%2f@c.edu', "x'@c", 'a@b', '@c.edu', 'a@c.edu?x'])('refuses %j', (v) => {
    expect(parseUserKey(v).ok).toBe(false);
  });
  it('keeps employeeId leading zeros and refuses OData-breaking characters', () => {
    const id = parseEmployeeId('00123');
    expect(id.ok && id.key.canonical).toBe('employeeId:00123');
    expect(parseEmployeeId("1' or 1 eq 1").ok).toBe(false);
  });
});

describe('roles', () => {
  it('resolves names case-insensitively and template ids', () => {
    expect(resolveRole('user administrator')?.templateId).toBe('fe930be7-5e62-47db-91af-98c3a49a38b1');
    expect(resolveRole('62E90394-69F5-4237-9190-012177145E10')?.name).toBe('Global Administrator');
    expect(resolveRole('Helpdesk Administrator')).toBeUndefined();
  });
});

describe('normalisePhotoRoot', () => {
  it.each([
    ['photos', 'photos'],
    ['./photos/', 'photos'],
    ['a/../photos', 'photos'],
    ['..', undefined],
    ['/photos', undefined],
    ['C:/photos', undefined],
    ['photos\\staff', undefined],
    ['.', undefined],
  ])('%j → %j', (input, expected) => {
    expect(normalisePhotoRoot(input)).toBe(expected);
  });
});
