// The emulator's tenant state on its own: seeded users are indexed once and refused when doubled,
// users added or removed at run time come back to the seed on reset, and the snapshot reports a
// user's and a group's photo alike (without the bytes).
import { describe, expect, it } from 'vitest';
import { TenantState, describePhoto } from '../../src/emulator/state.js';
import type { EmulatorUserSeed } from '../../src/emulator/options.js';

const ADA = { userPrincipalName: 'ada@contoso.edu', displayName: 'Ada' };
const GRACE = { userPrincipalName: 'grace@contoso.edu', displayName: 'Grace' };
const GROUP_ID = '7a1e0c55-2b3d-4c6f-8e9a-0b1c2d3e4f04';

function tenant(users: EmulatorUserSeed[] = [ADA, GRACE]): TenantState {
  return new TenantState({
    tenantId: 't',
    clientId: 'c',
    servicePrincipalId: 's',
    users,
    groups: [{ id: GROUP_ID, displayName: 'Class 9B', members: ['ada@contoso.edu'] }],
    appPermissions: [],
    directoryRoles: [],
    policy: { source: null, allowedRoles: [] },
  });
}

describe('TenantState users', () => {
  it('refuses a seed that names one user twice (by UPN, any case, or by id)', () => {
    expect(() => tenant([ADA, { ...ADA, userPrincipalName: 'ADA@contoso.edu', id: '00000000-0000-0000-0000-000000000001' }])).toThrow(
      'Duplicate userPrincipalName in seed: ADA@contoso.edu',
    );
    const id = '00000000-0000-0000-0000-000000000002';
    expect(() => tenant([{ ...ADA, id }, { ...GRACE, id }])).toThrow(`Duplicate user id in seed: ${id}`);
  });

  it('adds and removes users at run time, refuses a second one, and reset brings back exactly the seed', () => {
    const state = tenant();
    const added = state.addUser({ userPrincipalName: 'new@contoso.edu' });
    expect(state.findUser('NEW@contoso.edu')).toBe(added);
    expect(state.findUser(added.id)).toBe(added);
    // The same UPN derives the same id: refused by id; another id with the same UPN (any case): by UPN.
    expect(() => state.addUser({ userPrincipalName: 'new@contoso.edu' })).toThrow(`A user with id ${added.id} exists already.`);
    expect(() => state.addUser({ id: '00000000-0000-0000-0000-000000000003', userPrincipalName: 'NEW@contoso.edu' })).toThrow('A user NEW@contoso.edu exists already.');
    const ada = state.findUser('ada@contoso.edu')!;
    state.removeUser(ada);
    expect(state.findUser('ada@contoso.edu')).toBeUndefined();
    expect(state.deletedUsers.map((u) => u.id)).toEqual([ada.id]);

    const list = state.users;
    state.reset();
    expect(state.users).toBe(list); // the same list, refilled
    expect(state.users.map((u) => u.userPrincipalName)).toEqual(['ada@contoso.edu', 'grace@contoso.edu']);
    expect(state.findUser('ada@contoso.edu')?.id).toBe(ada.id);
    expect(state.findUser(ada.id)?.userPrincipalName).toBe('ada@contoso.edu');
    expect(state.findUser('new@contoso.edu')).toBeUndefined();
    expect(state.findUser(added.id)).toBeUndefined();
    expect(state.deletedUsers).toEqual([]);
    // After reset the seeded users are still indexed once: adding one of them again is refused.
    expect(() => state.addUser(GRACE)).toThrow(/^A user .* exists already\.$/);
  });
});

describe('TenantState snapshot', () => {
  it("reports a user's and a group's photo the same way, without the bytes", () => {
    const state = tenant();
    const bytes = Buffer.from('not really a jpeg');
    const ada = state.findUser('ada@contoso.edu')!;
    state.setPhoto(ada.id, describePhoto(bytes, 96, 96));
    state.setPhoto(GROUP_ID, describePhoto(bytes, 648, 648));
    const snapshot = state.snapshot();
    const userPhoto = snapshot.users.find((u) => u.id === ada.id)?.photo;
    const groupPhoto = snapshot.groups.find((g) => g.id === GROUP_ID)?.photo;
    expect(userPhoto).toMatchObject({ width: 96, height: 96, byteLength: bytes.length, contentType: 'image/jpeg' });
    expect(groupPhoto).toMatchObject({ width: 648, height: 648, byteLength: bytes.length, sha256: userPhoto?.sha256 });
    expect(userPhoto).not.toHaveProperty('bytes');
    expect(groupPhoto).not.toHaveProperty('bytes');
    expect(snapshot.users.find((u) => u.userPrincipalName === 'grace@contoso.edu')?.photo).toBeNull();
    expect(snapshot.groups[0]?.memberIds).toEqual([ada.id]);
    expect(snapshot.groups[0]?.memberIds).not.toBe(state.groups[0]?.memberIds);
  });
});
