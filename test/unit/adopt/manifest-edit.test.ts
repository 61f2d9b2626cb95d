/**
 * Issue 13: `import --force` into an existing manifest rewrote every comment (a 73-line diff for
 * two photos). New entries are added through the yaml Document's positions: every line already in
 * the file stays byte for byte as it was.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { insertEntries, manifestText, type ManifestEntry } from '../../../src/adopt/repoFiles.js';
import { parseManifest } from '../../../src/manifest/parse.js';

const two: ManifestEntry[] = [
  { keyField: 'user', keyValue: 's10023@students.contoso.edu', name: 'Maya Patel', photo: 'imported/s10023.jpg', comment: 'INDEX.TXT:1 GR09/IMG001.JPG' },
  { keyField: 'employeeId', keyValue: '00417', name: "Liam O'Brien", photo: 'imported/00417.jpg' },
];

const COMMENTED = `# yaml-language-server: $schema=../schema/manifest.schema.json
# Students, grade 9.   Reviewed by the office.
version: 1
photoRoot: photos   # where the photos are

users:
    # Homeroom 101
    -   user: ann@contoso.edu      # Ann
        name: "Ann Example"
        photo: students/ann.jpg

    -   employeeId: '10024'
        photo: students/10024.jpg   # retake 2026
# trailing comment, column 0

policy: { source: cloud }
`;

const insert = (text: string, entries = two) => insertEntries(text, parseDocument(text), entries);

/** Lines of `after` that are not in `before`, and whether `before`'s lines are all still there, in order. */
function lineDiff(before: string, after: string): { added: string[]; kept: boolean } {
  const a = before.split('\n');
  const b = after.split('\n');
  let i = 0;
  const added: string[] = [];
  for (const line of b) {
    if (i < a.length && line === a[i]) i++;
    else added.push(line);
  }
  return { added, kept: i === a.length };
}

describe('adding entries to an existing manifest', () => {
  it('changes only the lines it adds: comments, spacing, quoting and blank lines stay byte-identical', () => {
    const after = insert(COMMENTED)!;
    expect(after).toBeDefined();
    const { added, kept } = lineDiff(COMMENTED, after);
    expect(kept).toBe(true);
    // In the file's own indentation (4 spaces, "-   "), right after the last entry.
    expect(added).toEqual([
      '    -   user: s10023@students.contoso.edu  # INDEX.TXT:1 GR09/IMG001.JPG',
      '        name: Maya Patel',
      '        photo: imported/s10023.jpg',
      '    -   employeeId: "00417"',
      "        name: Liam O'Brien",
      '        photo: imported/00417.jpg',
    ]);
    expect(after.indexOf('retake 2026')).toBeLessThan(after.indexOf('s10023'));
    const { manifest, findings } = parseManifest('manifests/a.yaml', after);
    expect(findings).toEqual([]);
    expect(manifest!.users.map((u) => [u.key.value, u.name])).toEqual([
      ['ann@contoso.edu', 'Ann Example'],
      ['10024', undefined],
      ['s10023@students.contoso.edu', 'Maya Patel'],
      ['00417', "Liam O'Brien"],
    ]);
  });

  it('keeps CRLF line ends, and a file without a final newline', () => {
    const crlf = 'version: 1\r\nusers:\r\n  - user: a@contoso.edu\r\n    photo: a.jpg\r\n';
    expect(insert(crlf, [two[1]!])).toBe(`${crlf}  - employeeId: "00417"\r\n    name: Liam O'Brien\r\n    photo: imported/00417.jpg\r\n`);
    const bare = 'version: 1\nusers:\n- user: a@contoso.edu\n  photo: a.jpg';
    expect(insert(bare, [two[1]!])).toBe(`${bare}\n- employeeId: "00417"\n  name: Liam O'Brien\n  photo: imported/00417.jpg\n`);
  });

  it('an empty or missing users list', () => {
    expect(insert('version: 1  # v\nusers: []   # none yet\n# end\n', [two[1]!])).toBe('version: 1  # v\nusers:   # none yet\n  - employeeId: "00417"\n    name: Liam O\'Brien\n    photo: imported/00417.jpg\n# end\n');
    expect(insert('version: 1\nusers:\n', [two[1]!])).toBe('version: 1\nusers:\n  - employeeId: "00417"\n    name: Liam O\'Brien\n    photo: imported/00417.jpg\n');
    expect(insert('# only\nversion: 1\n', [two[1]!])).toBe('# only\nversion: 1\nusers:\n  - employeeId: "00417"\n    name: Liam O\'Brien\n    photo: imported/00417.jpg\n');
  });

  it('a flow list with entries is left to the Document printer (undefined here)', () => {
    expect(insert('version: 1\nusers: [{user: a@contoso.edu, photo: a.jpg}]\n')).toBeUndefined();
  });

  it('names that YAML would read as something else are quoted; hostile ones stay one line', () => {
    const names = ['No', 'true', 'Zoë Ångström', 'a: b', 'x # y', '- item', 'line\nbreak\u2028x', '"quoted"', '  '];
    const entries = names.map((name, i): ManifestEntry => ({ keyField: 'employeeId', keyValue: String(i), name, photo: `p/${i}.jpg` }));
    const text = manifestText(entries, { photoRoot: 'photos', header: ['test'] });
    expect(text).toContain('name: "No"\n');
    expect(text).toContain('name: "true"\n');
    expect(text).toContain('name: Zoë Ångström\n');
    const { manifest, findings } = parseManifest('manifests/a.yaml', text);
    expect(findings).toEqual([]);
    // Read back as written; a blank name is no name.
    expect(manifest!.users.map((u) => u.name)).toEqual([...names.slice(0, 8), undefined]);
  });
});
