/**
 * Import end to end with generated photographer deliveries: a PSPA INDEX.TXT (header-less,
 * tab-separated, CRLF, ids with leading zeros in column N) plus a MASTER.TXT with a retake,
 * matched against the local tenant; and a CSV id→file matched offline against a roster. Rows that
 * cannot be imported (unmatched, ambiguous, missing file, no id, already declared) are reported
 * with their file:line, and nothing is overwritten without --force.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, DEFAULT_USERS, type RunningEmulator } from '../../src/emulator/index.js';
import { checkPhoto } from '../../src/photo/index.js';
import { git, initGitRepo, tempDir, writeTree } from '../helpers/repo.js';
import { runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
const env = () => emulator.env as unknown as Record<string, string>;

/** A 4:5 studio portrait: background, head high in the frame. */
async function portrait(hue: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="1000"><rect width="100%" height="100%" fill="hsl(${hue},50%,50%)"/><ellipse cx="400" cy="380" rx="150" ry="190" fill="#e0ac69"/><rect x="180" y="640" width="440" height="360" fill="#223"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 88 }).toBuffer();
}

/** A PSPA row: A Volume … M Image Size, N Student ID. */
const pspa = (folder: string, file: string, grade: string, last: string, first: string, id: string) => [`Lincoln HS`, folder, file, grade, last, first, '101', '', 'Jones', '', '', '', 'L', id].join('\t');

beforeAll(async () => {
  scratch = await tempDir('entra-photos-import-');
  emulator = await startEmulator({
    users: [...DEFAULT_USERS, { userPrincipalName: 'twin.a@students.contoso.edu', employeeId: '5005' }, { userPrincipalName: 'twin.b@students.contoso.edu', employeeId: '05005' }],
  });
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
  await scratch?.cleanup();
});

describe('import', () => {
  it('imports a PSPA delivery: retakes win, leading zeros tolerated, 4:5 cropped to square; reports the rest; never overwrites without --force', async () => {
    const repo = path.join(scratch.dir, 'pspa-repo');
    await writeTree(repo, {
      'manifests/students.yaml': 'version: 1\nusers:\n  - user: s10027@students.contoso.edu\n    photo: students/10027.jpg\n',
      'photos/students/10027.jpg': await portrait(300),
    });
    const delivery = path.join(scratch.dir, 'delivery');
    const retake = await portrait(200);
    await writeTree(delivery, {
      'INDEX.TXT': [
        pspa('GR09', 'IMG001.JPG', '9', 'Patel', 'Maya', '0010023'),
        pspa('GR09', 'IMG002.JPG', '9', "O'Brien", 'Liam', '10024'),
        pspa('GR09', 'IMG003.JPG', '9', 'Garcia', 'Sofia', '10025'), // file missing
        pspa('GR09', 'IMG004.JPG', '9', 'Kim', 'Noah', '10026'), // retaken in MASTER.TXT
        pspa('GR09', 'IMG005.JPG', '9', 'Nobody', 'Ann', '99999'), // no such student
        pspa('GR09', 'IMG006.JPG', '9', 'Twin', 'Ambi', '5005'), // two users: 5005 and 05005
        pspa('GR09', 'IMG007.JPG', '9', 'Okafor', 'Amara', '10027'), // already declared
        pspa('GR09', 'IMG008.JPG', '9', 'Noid', 'Nell', ''), // no id
      ].join('\r\n') + '\r\n',
      'MASTER.TXT': pspa('RETAKES', 'R004.JPG', '9', 'Kim', 'Noah', '010026') + '\r\n',
      'GR09/IMG001.JPG': await portrait(10),
      'GR09/IMG002.JPG': await portrait(40),
      'GR09/IMG004.JPG': await portrait(70),
      'GR09/IMG005.JPG': await portrait(100),
      'GR09/IMG006.JPG': await portrait(130),
      'GR09/IMG007.JPG': await portrait(160),
      'GR09/IMG008.JPG': await portrait(190),
      'RETAKES/R004.JPG': retake,
    });
    const run = await runCli(['import', '--repo', repo, '--pspa', delivery, '--format', 'json'], env());
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.counts).toMatchObject({ imported: 3, superseded: 1, 'missing-file': 1, unmatched: 1, ambiguous: 1, 'already-declared': 1, 'no-id': 1 });
    const row = (status: string) => result.rows.find((r: { status: string }) => r.status === status);
    expect(row('missing-file').message).toMatch(/^INDEX\.TXT:3: GR09\/IMG003\.JPG for s10025@students\.contoso\.edu \(Sofia Garcia\) is not in the delivery/);
    expect(row('unmatched').message).toMatch(/^INDEX\.TXT:5: no user has employeeId 99999/);
    expect(row('ambiguous').message).toMatch(/^INDEX\.TXT:6: 5005 matches 2 users by employeeId \(twin\.a@students\.contoso\.edu, twin\.b@students\.contoso\.edu\)/);
    expect(row('already-declared').message).toMatch(/^INDEX\.TXT:7: s10027@students\.contoso\.edu \(Amara Okafor\) is already declared at manifests\/students\.yaml:\d+/);
    expect(row('superseded').message).toMatch(/^INDEX\.TXT:4: replaced by MASTER\.TXT:1 \(RETAKES\/R004\.JPG\)/);
    expect(row('no-id').message).toMatch(/^INDEX\.TXT:8:/);

    const manifest = await readFile(path.join(repo, 'manifests/imported.yaml'), 'utf8');
    // The tenant's displayName is written as name: (reviewers see people, not numbers).
    expect(manifest).toContain('  - user: s10023@students.contoso.edu  # INDEX.TXT:1 GR09/IMG001.JPG\n    name: Maya Patel\n    photo: imported/s10023@students.contoso.edu.jpg');
    expect(result.keys).toEqual([{ field: 'user', from: 'userPrincipalName', why: 'the default key', count: 3 }]);
    expect(manifest).toContain('MASTER.TXT:1 RETAKES/R004.JPG');
    // Cropped and normalised exactly as apply will: the retake, square, 648 px, centre crop.
    const written = await readFile(path.join(repo, 'photos/imported/s10026@students.contoso.edu.jpg'));
    expect(written).toEqual((await checkPhoto(retake, { enabled: true, crop: 'centre' })).output!.jpeg);
    expect(await sharp(written).metadata()).toMatchObject({ width: 648, height: 648 });
    expect((await runCli(['validate', '--repo', repo])).code).toBe(0);

    // Again: everything imported is now declared; nothing is rewritten without --force.
    const before = (await stat(path.join(repo, 'photos/imported/s10023@students.contoso.edu.jpg'))).mtimeMs;
    const again = JSON.parse((await runCli(['import', '--repo', repo, '--pspa', delivery, '--format', 'json'], env())).stdout);
    expect(again.counts).toMatchObject({ imported: 0, 'already-declared': 4 });
    expect((await stat(path.join(repo, 'photos/imported/s10023@students.contoso.edu.jpg'))).mtimeMs).toBe(before);
    expect(await readFile(path.join(repo, 'manifests/imported.yaml'), 'utf8')).toBe(manifest);

    // --force replaces the photo files the existing entries point at (s10027's included).
    const forced = JSON.parse((await runCli(['import', '--repo', repo, '--pspa', delivery, '--force', '--format', 'json'], env())).stdout);
    expect(forced.counts).toMatchObject({ replaced: 4 });
    expect(await readFile(path.join(repo, 'photos/students/10027.jpg'))).toEqual((await checkPhoto(await portrait(160), { enabled: true, crop: 'centre' })).output!.jpeg);
    // s10027's entry had no name: it gets the tenant's displayName; the imported ones keep theirs.
    expect(await readFile(path.join(repo, 'manifests/students.yaml'), 'utf8')).toBe('version: 1\nusers:\n  - user: s10027@students.contoso.edu\n    name: Amara Okafor\n    photo: students/10027.jpg\n');
    expect(forced.rows.filter((r: { nameAdded?: boolean }) => r.nameAdded).map((r: { user: string }) => r.user)).toEqual(['s10027@students.contoso.edu']);
    expect(await readFile(path.join(repo, 'manifests/imported.yaml'), 'utf8')).toBe(manifest);
    expect((await runCli(['validate', '--repo', repo])).code).toBe(0);
  }, 20_000);

  it('imports a CSV id→file offline against a roster: UPN, mail and zero-padded ids; ambiguous roster rows; attention crop; employeeId keys', async () => {
    const repo = path.join(scratch.dir, 'csv-repo');
    await writeTree(repo, { 'manifests/.keep': '' });
    await writeTree(scratch.dir, {
      'csv/photos.csv': 'id,file\n"00417",a.jpg\nkim.lee@old-domain.org,b.jpg\npat@contoso.edu,c.jpg\n777,d.jpg\n420,missing.jpg\n',
      'csv/a.jpg': await portrait(20),
      'csv/b.jpg': await portrait(50),
      'csv/c.jpg': await portrait(80),
      'csv/d.jpg': await portrait(110),
      'roster.csv': 'Student ID,UPN,Email\n417,ann@contoso.edu,ann@contoso.edu\n418,kim@contoso.edu,kim.lee@old-domain.org\n419,pat@contoso.edu,pat@contoso.edu\n777,x@contoso.edu,\n0777,y@contoso.edu,\n420,lee@contoso.edu,\n',
    });
    const run = await runCli(['import', '--repo', repo, '--csv', path.join(scratch.dir, 'csv/photos.csv'), '--roster', path.join(scratch.dir, 'roster.csv'), '--crop', 'attention', '--key', 'employeeId', '--format', 'json']);
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.counts).toMatchObject({ imported: 3, ambiguous: 1, 'missing-file': 1 });
    expect(result.rows.find((r: { status: string }) => r.status === 'ambiguous').message).toContain('photos.csv:5: 777 matches 2 users by employeeId (x@contoso.edu (roster.csv:5), y@contoso.edu (roster.csv:6))');
    expect(result.rows.find((r: { status: string }) => r.status === 'missing-file').message).toMatch(/^photos\.csv:6: missing\.jpg for employeeId 420 is not in the delivery/);
    const manifest = await readFile(path.join(repo, 'manifests/imported.yaml'), 'utf8');
    expect(manifest).toContain('  - employeeId: "417"');
    expect(manifest).toContain('  - employeeId: "418"'); // matched by mail
    const written = await readFile(path.join(repo, 'photos/imported/417.jpg'));
    expect(written).toEqual((await checkPhoto(await portrait(20), { enabled: true, crop: 'attention' })).output!.jpeg);
    expect((await runCli(['validate', '--repo', repo])).code).toBe(0);
    // A second delivery lands in the same manifest, keeping what is there.
    await writeFile(path.join(scratch.dir, 'csv/more.csv'), 'id,file\n777,d.jpg\n');
    const more = await runCli(['import', '--repo', repo, '--csv', path.join(scratch.dir, 'csv/more.csv'), '--roster', path.join(scratch.dir, 'roster.csv')]);
    expect(more.code).toBe(1);
    expect(more.stdout).toContain('Matched more than one user (1):');
  });

  it('a roster with Email but no UPN column: user: keys from the mail addresses, and the report says so', async () => {
    const repo = path.join(scratch.dir, 'email-roster-repo');
    await writeTree(repo, { 'manifests/.keep': '' });
    await writeTree(scratch.dir, {
      'email/photos.csv': 'id,file\n41002,a.jpg\n41003,b.jpg\n',
      'email/a.jpg': await portrait(15),
      'email/b.jpg': await portrait(45),
      // Usual column names, any case and spacing: "Student Number", " E-Mail ", "Full Name".
      'email/roster.csv': 'Student Number, E-Mail ,Full Name\n41002,ada@contoso.edu,Ada Lovelace\n41003,,Bo Diddley\n',
    });
    const run = await runCli(['import', '--repo', repo, '--csv', path.join(scratch.dir, 'email/photos.csv'), '--roster', path.join(scratch.dir, 'email/roster.csv')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Roster columns: userPrincipalName ← none, mail ← "E-Mail", employeeId ← "Student Number", name ← "Full Name".');
    expect(run.stdout).toContain('Manifest keys: 1 × user: from the mail: the roster has no userPrincipalName (UPN) column; its "E-Mail" column gives the mail address, and a user: key is matched by userPrincipalName or mail.');
    expect(run.stdout).toContain('Manifest keys: 1 × employeeId: from the employeeId: these users have neither a userPrincipalName nor a mail address in the roster (the roster\'s "Student Number" column).');
    const manifest = await readFile(path.join(repo, 'manifests/imported.yaml'), 'utf8');
    expect(manifest).toContain('  - employeeId: "41003"  # photos.csv:3 b.jpg\n    name: Bo Diddley\n    photo: imported/41003.jpg\n');
    expect(manifest).toContain('  - user: ada@contoso.edu  # photos.csv:2 a.jpg\n    name: Ada Lovelace\n    photo: imported/ada@contoso.edu.jpg\n');
    expect((await runCli(['validate', '--repo', repo])).code).toBe(0);
    // The plan shows the names beside the keys.
    initGitRepo(repo);
    const plan = await runCli(['plan', '--repo', repo]);
    expect(plan.stdout).toContain('+ ada@contoso.edu (Ada Lovelace)');
    expect(plan.stdout).toContain('+ employeeId 41003 (Bo Diddley)');
  });

  it('--force into a commented manifest changes only the lines it must', async () => {
    const repo = path.join(scratch.dir, 'force-repo');
    const commented = [
      '# yaml-language-server: $schema=../schema/manifest.schema.json',
      '# Grade 9 portraits.    Owner: the front office.',
      'version: 1',
      'photoRoot: photos   # the default',
      '',
      'users:',
      '    # Homeroom 101',
      '    -   user: s10024@students.contoso.edu     # Liam',
      '        photo: "students/10024.jpg"',
      '',
      '    -   user: s10027@students.contoso.edu',
      "        photo: 'students/10027.jpg'   # retake due",
      '# end of list',
      '',
    ].join('\n');
    await writeTree(repo, { 'manifests/imported.yaml': commented, 'photos/students/10024.jpg': await portrait(5), 'photos/students/10027.jpg': await portrait(6) });
    initGitRepo(repo);
    const delivery = path.join(scratch.dir, 'force-delivery');
    await writeTree(delivery, {
      'INDEX.TXT': [pspa('GR09', 'IMG001.JPG', '9', 'Patel', 'Maya', '10023'), pspa('GR09', 'IMG002.JPG', '9', 'Kim', 'Noah', '10026'), pspa('GR09', 'IMG007.JPG', '9', 'Okafor', 'Amara', '10027')].join('\r\n') + '\r\n',
      'GR09/IMG001.JPG': await portrait(11),
      'GR09/IMG002.JPG': await portrait(22),
      'GR09/IMG007.JPG': await portrait(33),
    });
    const run = await runCli(['import', '--repo', repo, '--pspa', delivery, '--force', '--format', 'json'], env());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.counts).toMatchObject({ imported: 2, replaced: 1 });
    const replaced = result.rows.find((r: { status: string }) => r.status === 'replaced');
    expect(replaced).toMatchObject({ nameAdded: true, message: 'INDEX.TXT:3: replaced photos/students/10027.jpg for s10027@students.contoso.edu (Amara Okafor) (declared at manifests/imported.yaml:11) and added name: Amara Okafor.' });
    const after = await readFile(path.join(repo, 'manifests/imported.yaml'), 'utf8');
    // Two new photos: six added lines after the last entry; the replaced entry, which had no
    // name:, gets one under its key line at its indentation; every other line byte-identical.
    const lines = commented.split('\n');
    const keyLine = lines.indexOf('    -   user: s10027@students.contoso.edu');
    const at = lines.indexOf('# end of list');
    expect(after).toBe(
      [
        ...lines.slice(0, keyLine + 1),
        '        name: Amara Okafor',
        ...lines.slice(keyLine + 1, at),
        '    -   user: s10023@students.contoso.edu  # INDEX.TXT:1 GR09/IMG001.JPG',
        '        name: Maya Patel',
        '        photo: imported/s10023@students.contoso.edu.jpg',
        '    -   user: s10026@students.contoso.edu  # INDEX.TXT:2 GR09/IMG002.JPG',
        '        name: Noah Kim',
        '        photo: imported/s10026@students.contoso.edu.jpg',
        ...lines.slice(at),
      ].join('\n'),
    );
    // git says the same: seven lines added, none removed or changed.
    expect(git(repo, 'diff', '--numstat', '--', 'manifests/imported.yaml')).toBe('7\t0\tmanifests/imported.yaml');
    expect((await runCli(['validate', '--repo', repo])).code).toBe(0);
  }, 20_000);

  it('--force over an entry without name: adds the delivery\'s name (quoted when YAML needs it); a name: already there is kept; --dry-run writes nothing', async () => {
    const repo = path.join(scratch.dir, 'name-repo');
    const staff = [
      'version: 1',
      '# Staff, by the front office. Keep the names as HR writes them.',
      'users:',
      '  - employeeId: "2001"   # new hire',
      '    photo: staff/2001.jpg',
      '    crop: attention',
      '  # Named by hand: never renamed by an import.',
      '  - employeeId: "2002"',
      '    name: Bea (Office)',
      '    photo: staff/2002.jpg',
      '  - user: carol@contoso.edu',
      '    photo: staff/carol.jpg',
      '',
    ].join('\n');
    await writeTree(repo, {
      'manifests/staff.yaml': staff,
      'photos/staff/2001.jpg': await portrait(1),
      'photos/staff/2002.jpg': await portrait(2),
      'photos/staff/carol.jpg': await portrait(3),
    });
    initGitRepo(repo);
    const delivery = path.join(scratch.dir, 'name-delivery');
    await writeTree(delivery, {
      // PSPA carries first and last names; the roster has none, so the delivery's are used. The
      // first is untrusted text YAML must quote (": " and "#"), the second a plain one.
      'INDEX.TXT': [pspa('STAFF', 'A.JPG', '', 'Ng #2', 'Al: Jr', '2001'), pspa('STAFF', 'B.JPG', '', 'Baker', 'Bea', '2002')].join('\r\n') + '\r\n',
      'STAFF/A.JPG': await portrait(40),
      'STAFF/B.JPG': await portrait(80),
    });
    await writeTree(scratch.dir, { 'name-roster.csv': 'employeeId,UPN\n2001,al@contoso.edu\n2002,bea@contoso.edu\n' });
    const args = ['import', '--repo', repo, '--pspa', delivery, '--roster', path.join(scratch.dir, 'name-roster.csv'), '--force', '--format', 'json'];

    const dry = await runCli([...args, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).rows.map((r: { status: string; nameAdded?: boolean }) => [r.status, r.nameAdded ?? false])).toEqual([['replaced', true], ['replaced', false]]);
    expect(await readFile(path.join(repo, 'manifests/staff.yaml'), 'utf8')).toBe(staff);
    expect(git(repo, 'status', '--porcelain')).toBe('');

    const run = await runCli(args);
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout).rows;
    expect(rows[0]).toMatchObject({ status: 'replaced', nameAdded: true, message: 'INDEX.TXT:1: replaced photos/staff/2001.jpg for al@contoso.edu (Al: Jr Ng #2) (declared at manifests/staff.yaml:4) and added name: Al: Jr Ng #2.' });
    expect(rows[1]).toMatchObject({ status: 'replaced', message: 'INDEX.TXT:2: replaced photos/staff/2002.jpg for bea@contoso.edu (Bea Baker) (declared at manifests/staff.yaml:8).' });
    expect(rows[1].nameAdded).toBeUndefined();
    const lines = staff.split('\n');
    expect(await readFile(path.join(repo, 'manifests/staff.yaml'), 'utf8')).toBe([...lines.slice(0, 4), '    name: "Al: Jr Ng #2"', ...lines.slice(4)].join('\n'));
    expect(git(repo, 'diff', '--numstat', '--', 'manifests/staff.yaml')).toBe('1\t0\tmanifests/staff.yaml');
    const validate = await runCli(['validate', '--repo', repo]);
    expect(validate.code, validate.stdout).toBe(0);

    // Again: the name is there now, so nothing more is added.
    const again = JSON.parse((await runCli(args)).stdout);
    expect(again.rows.some((r: { nameAdded?: boolean }) => r.nameAdded)).toBe(false);
    expect(git(repo, 'diff', '--numstat', '--', 'manifests/staff.yaml')).toBe('1\t0\tmanifests/staff.yaml');
  }, 20_000);

  it('says what to do when the delivery cannot be read', async () => {
    const none = await runCli(['import', '--repo', scratch.dir, '--pspa', scratch.dir, '--roster', path.join(scratch.dir, 'roster.csv')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('holds neither INDEX.TXT nor MASTER.TXT');
    const both = await runCli(['import', '--repo', scratch.dir]);
    expect(both.stderr).toContain('exactly one of --pspa DIR');
  });
});
