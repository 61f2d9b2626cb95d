/**
 * `import --force` over an entry without `name:` adds the name in place (addNameToEntry): one line
 * under the key at the entry's indentation, every other byte kept; layouts it cannot edit safely
 * are left as they are, and a name already written is never replaced.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { addNamesToEntries, addNameToEntry } from '../../../src/adopt/repoFiles.js';

/** Line and column (1-based) where `value` starts in `text`, as validation reports a key. */
function keyAt(text: string, value: string): { line: number; col: number } {
  const offset = text.indexOf(value);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

describe('addNameToEntry', () => {
  it('adds name: under the key line (after its comment), CRLF kept, and a last line without a newline', () => {
    const text = 'version: 1\r\nusers:\r\n- user: a@contoso.edu # from HR\r\n  photo: a.jpg\r\n- photo: b.jpg\r\n  employeeId: "7"';
    const first = addNameToEntry(text, keyAt(text, 'a@contoso.edu'), 'Ann Lee');
    expect(first).toEqual({ kind: 'added', text: 'version: 1\r\nusers:\r\n- user: a@contoso.edu # from HR\r\n  name: Ann Lee\r\n  photo: a.jpg\r\n- photo: b.jpg\r\n  employeeId: "7"' });
    const second = addNameToEntry(text, keyAt(text, '"7"'), 'true');
    expect(second.kind).toBe('added');
    if (second.kind !== 'added') return;
    // A name YAML 1.1 reads as a boolean is quoted; the entry's key order is kept.
    expect(second.text.endsWith('  employeeId: "7"\r\n  name: "true"\r\n')).toBe(true);
    expect(parseDocument(second.text).toJS().users[1]).toEqual({ photo: 'b.jpg', employeeId: '7', name: 'true' });
  });

  it('keeps an entry that has name: (even an empty one) and a flow mapping, and says why', () => {
    const named = 'users:\n  - user: a@contoso.edu\n    name: ""\n    photo: a.jpg\n';
    expect(addNameToEntry(named, keyAt(named, 'a@contoso.edu'), 'Ann')).toEqual({ kind: 'kept', why: 'it already has name:' });
    const flow = 'users:\n  - { user: a@contoso.edu, photo: a.jpg }\n';
    expect(addNameToEntry(flow, keyAt(flow, 'a@contoso.edu'), 'Ann')).toMatchObject({ kind: 'kept', why: expect.stringContaining('not written one key a line') });
  });

  it('many entries of one file at once: each named in place, a second name for one entry kept, one that cannot be edited kept', () => {
    const text = 'version: 1\nusers:\n  - user: a@contoso.edu\n    photo: a.jpg\n  - { user: b@contoso.edu, photo: b.jpg }\n  - employeeId: "7"\n    photo: c.jpg';
    const { text: edited, edits } = addNamesToEntries(text, [
      { keyAt: keyAt(text, '"7"'), name: 'Cy Ode' },
      { keyAt: keyAt(text, 'a@contoso.edu'), name: 'Ann Lee' },
      { keyAt: keyAt(text, 'b@contoso.edu'), name: 'Bo' },
      { keyAt: keyAt(text, 'a@contoso.edu'), name: 'Ann Other' },
    ]);
    expect(edits).toEqual([{ kind: 'added' }, { kind: 'added' }, { kind: 'kept', why: expect.stringContaining('not written one key a line') }, { kind: 'kept', why: 'it already has name:' }]);
    expect(edited).toBe('version: 1\nusers:\n  - user: a@contoso.edu\n    name: Ann Lee\n    photo: a.jpg\n  - { user: b@contoso.edu, photo: b.jpg }\n  - employeeId: "7"\n    name: Cy Ode\n    photo: c.jpg');
    // The same as adding them one at a time from the bottom up.
    const one = addNameToEntry(text, keyAt(text, '"7"'), 'Cy Ode');
    const two = one.kind === 'added' ? addNameToEntry(one.text, keyAt(text, 'a@contoso.edu'), 'Ann Lee') : one;
    expect(two).toEqual({ kind: 'added', text: edited });
  });

  it('finds nothing where the file changed since validation read it', () => {
    const text = 'users:\n  - user: a@contoso.edu\n    photo: a.jpg\n';
    expect(addNameToEntry(text, { line: 3, col: 5 }, 'Ann').kind).toBe('kept');
    expect(addNameToEntry(text, { line: 40, col: 1 }, 'Ann').kind).toBe('kept');
  });
});
