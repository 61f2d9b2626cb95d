/**
 * Issue 13: a roster with `Email` but no `UPN` column silently gave `employeeId:` keys. Roster
 * columns are matched by their usual names, and import says which key it wrote and why.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseKey } from '../../../src/import/import.js';
import { readRosterFile } from '../../../src/import/match.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'entra-photos-roster-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function roster(text: string) {
  const file = path.join(dir, `r${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(file, text);
  return readRosterFile(file);
}

describe('roster columns', () => {
  it.each([
    ['UPN,Email,Student ID,Name', { userPrincipalName: 'UPN', mail: 'Email', employeeId: 'Student ID', displayName: 'Name' }],
    ['userPrincipalName,Mail,employeeId', { userPrincipalName: 'userPrincipalName', mail: 'Mail', employeeId: 'employeeId' }],
    [' user principal name , E-mail ,EMPLOYEE_ID,Display Name', { userPrincipalName: 'user principal name', mail: 'E-mail', employeeId: 'EMPLOYEE_ID', displayName: 'Display Name' }],
    ['Student Number,Email Address,Full Name', { employeeId: 'Student Number', mail: 'Email Address', displayName: 'Full Name' }],
  ])('%s', async (header, columns) => {
    expect((await roster(`${header}\n`)).columns).toEqual(columns);
  });

  it('a header naming none of the key columns is refused, naming the usual names', async () => {
    await expect(roster('First,Last\nAda,Lovelace\n')).rejects.toThrow(/names none of employeeId, userPrincipalName \(UPN\), mail \(Email\)/);
  });
});

describe('which key import writes, and why', () => {
  const user = { userPrincipalName: 'ada@contoso.edu', mail: 'ada.l@contoso.edu', employeeId: '41002' };
  it('the UPN by default; the employeeId with --key employeeId', () => {
    expect(chooseKey(user, 'upn', { userPrincipalName: 'UPN' })).toEqual({ keyField: 'user', keyValue: 'ada@contoso.edu', keyFrom: 'userPrincipalName', why: 'the default key (the roster\'s "UPN" column)' });
    expect(chooseKey(user, 'employeeId', undefined)).toEqual({ keyField: 'employeeId', keyValue: '41002', keyFrom: 'employeeId', why: '--key employeeId' });
    expect(chooseKey({ userPrincipalName: 'bo@contoso.edu' }, 'employeeId', undefined)).toMatchObject({ keyField: 'user', keyFrom: 'userPrincipalName', why: expect.stringContaining('no employeeId') });
  });

  it('a roster with Email but no UPN column: user: keys by mail, not employeeId', () => {
    expect(chooseKey({ mail: 'ada.l@contoso.edu', employeeId: '41002' }, 'upn', { mail: 'Email', employeeId: 'Student ID' })).toEqual({
      keyField: 'user',
      keyValue: 'ada.l@contoso.edu',
      keyFrom: 'mail',
      why: 'the roster has no userPrincipalName (UPN) column; its "Email" column gives the mail address, and a user: key is matched by userPrincipalName or mail',
    });
    expect(chooseKey({ employeeId: '41002' }, 'upn', { mail: 'Email', employeeId: 'Student ID' })).toMatchObject({ keyField: 'employeeId', keyFrom: 'employeeId', why: expect.stringContaining('neither a userPrincipalName nor a mail address') });
    expect(chooseKey({ displayName: 'Nobody' }, 'upn', {})).toBeUndefined();
  });
});
