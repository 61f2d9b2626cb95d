// What the Google target spends on the Directory API's per-user quota, counted in the emulator's
// request log: many keys answered from users.list pages (bounded, falling back to users.get per
// key), whether a user holds a photo known from the lookup with no request, and delete-first only
// for a user who may hold a photo. The emulator's domain: the 15 seeded users (6 staff, then 9
// students) plus the users a test adds, listed in that order.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import type { SubjectResolution } from '../../src/target/port.js';
import { isResolvedSubject } from '../../src/target/port.js';
import { jpeg, trustEmulatorCa } from '../emulator/helpers.js';
import { directoryRequests, googleTarget, key, keyless } from './googleHelpers.js';

let emulator: RunningEmulator;
let portrait: Buffer;

beforeAll(async () => {
  emulator = await startEmulator();
  trustEmulatorCa(emulator.caCertPem);
  portrait = await jpeg(648);
});
afterAll(() => emulator.stop());
afterEach(() => emulator.admin.reset());

const pagedTarget = (listPageSize: number) => googleTarget(emulator, keyless(emulator), { directory: { listPageSize } });
const count = (requests: Array<{ kind: string; method: string }>, kind: string, method = 'GET') => requests.filter((request) => request.kind === kind && request.method === method).length;
const signIn = async (target: ReturnType<typeof pagedTarget>) => {
  await target.directory.getUser('ada.lovelace@contoso.edu');
  return (await emulator.admin.requests()).at(-1)?.seq ?? 0;
};

async function addStaff(count: number): Promise<string[]> {
  const addresses = Array.from({ length: count }, (_, i) => `t${i}@contoso.edu`);
  for (const primaryEmail of addresses) await emulator.google.admin.addUser({ primaryEmail });
  return addresses;
}

describe('many keys: users.list pages instead of a users.get per key', () => {
  it('answers 10 addresses with 3 list pages of 10 and no users.get, announcing each page\'s answers as it lands', async () => {
    const addresses = await addStaff(10); // users 16-25 of 25: pages 2 and 3
    const target = pagedTarget(10);
    const since = await signIn(target);
    const batches: string[][] = [];
    const answers = await target.resolveSubjects(addresses.map(key), { onResolved: (batch) => batches.push([...batch.keys()]) });
    expect([...answers.values()].every(isResolvedSubject)).toBe(true);
    expect(answers.get('upn:t9@contoso.edu')).toMatchObject({ userPrincipalName: 't9@contoso.edu', matchedBy: 'upn' });
    const requests = await directoryRequests(emulator, since);
    expect(requests.map((request) => request.kind)).toEqual(['list', 'list', 'list']);
    expect(batches.map((batch) => batch.length)).toEqual([5, 5]);
  });

  it('matches aliases (editable or not) case-insensitively and ids, as users.get does', async () => {
    await emulator.google.admin.addUser({ primaryEmail: 'g.hopper2@contoso.edu', aliases: ['Amazing.Grace@contoso.edu'], nonEditableAliases: ['g.hopper2@contoso-alias.edu'] });
    const target = pagedTarget(500);
    const ada = await target.resolveSubject(key('ada.lovelace@contoso.edu'));
    if (!isResolvedSubject(ada)) throw new Error('ada not found');
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const byId = { kind: 'googleId', value: ada.id, canonical: `googleId:${ada.id}` } as const;
    const answers = await target.resolveSubjects([key('AMAZING.grace@contoso.edu'), byId, key('Grace.Hopper@contoso.edu'), key('G.Hopper2@contoso-alias.edu')]);
    expect(answers.get('upn:amazing.grace@contoso.edu')).toMatchObject({ userPrincipalName: 'g.hopper2@contoso.edu', matchedBy: 'mail' });
    expect(answers.get('upn:g.hopper2@contoso-alias.edu')).toMatchObject({ userPrincipalName: 'g.hopper2@contoso.edu', matchedBy: 'mail' });
    expect(await target.resolveSubject(key('g.hopper2@contoso-alias.edu'))).toEqual(answers.get('upn:g.hopper2@contoso-alias.edu'));
    expect(answers.get(byId.canonical)).toMatchObject({ userPrincipalName: 'ada.lovelace@contoso.edu', matchedBy: 'objectId' });
    expect(answers.get('upn:grace.hopper@contoso.edu')).toMatchObject({ matchedBy: 'upn' });
    expect((await directoryRequests(emulator, since)).map((request) => request.kind)).toEqual(['list', 'get']);
  });

  it('stops listing once the pages read reach the keys left, and looks those up one by one (at most about twice the per-key cost)', async () => {
    await addStaff(10);
    const target = pagedTarget(5); // 25 users: 5 pages
    const since = await signIn(target);
    const answers = await target.resolveSubjects(['nobody1@contoso.edu', 'nobody2@contoso.edu', 'nobody3@contoso.edu'].map(key));
    expect(answers.get('upn:nobody2@contoso.edu')).toMatchObject({ notFound: true, problem: 'not-found', reason: 'No Google user has the address nobody2@contoso.edu.' });
    const requests = await directoryRequests(emulator, since);
    expect(count(requests, 'list')).toBe(3);
    expect(count(requests, 'get')).toBe(3);
  });

  it('two keys go straight to users.get', async () => {
    const target = pagedTarget(500);
    const since = await signIn(target);
    await target.resolveSubjects(['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu'].map(key));
    expect((await directoryRequests(emulator, since)).map((request) => request.kind)).toEqual(['get', 'get']);
  });

  it('a key a complete listing lacks still gets its users.get: a user created meanwhile is found', async () => {
    const target = pagedTarget(500);
    const since = await signIn(target);
    // The newcomer is created after the listing was read and before users.get looks for them.
    await emulator.google.admin.setConfig({ faults: [{ effect: 'delay', delayMs: 500, path: '^/admin/directory/v1/users/newcomer' }] });
    let created: Promise<unknown> | undefined;
    const answers = await target.resolveSubjects(['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu', 'newcomer@contoso.edu'].map(key), {
      onResolved: () => (created ??= emulator.google.admin.addUser({ primaryEmail: 'newcomer@contoso.edu' })),
    });
    await created;
    expect(answers.get('upn:newcomer@contoso.edu')).toMatchObject({ userPrincipalName: 'newcomer@contoso.edu', matchedBy: 'upn' });
    const requests = await directoryRequests(emulator, since);
    expect(requests.map((request) => request.kind)).toEqual(['list', 'get']);
    expect(requests[1]?.path).toMatch(/newcomer/);
  });

  it('an employee id two users share on different pages is ambiguous, answered once the listing is complete, in the per-key path\'s words', async () => {
    await emulator.google.admin.addUser({ primaryEmail: 'maya.patel@contoso.edu', externalIds: [{ value: '10023', type: 'organization' }] }); // user 16; s10023 is user 7
    const target = pagedTarget(8);
    const since = await signIn(target);
    const batches: Array<Map<string, SubjectResolution>> = [];
    const keys = ['employeeId:10023', 'employeeId:10024', 'employeeId:E1001'].map(key);
    const answers = await target.resolveSubjects(keys, { onResolved: (batch) => batches.push(new Map(batch)) });
    const ambiguous = answers.get('employeeId:10023');
    expect(ambiguous).toMatchObject({ notFound: true, problem: 'ambiguous', reason: expect.stringMatching(/^2 Google users have employee id 10023 \(s10023@students\.contoso\.edu, maya\.patel@contoso\.edu\)/) });
    expect(await target.resolveSubject(keys[0]!)).toEqual(ambiguous); // the per-key path says the same
    expect(answers.get('employeeId:10024')).toMatchObject({ userPrincipalName: 's10024@students.contoso.edu', matchedBy: 'employeeId' });
    expect(answers.get('employeeId:E1001')).toMatchObject({ userPrincipalName: 'ada.lovelace@contoso.edu', matchedBy: 'employeeId' });
    // Nothing announced before the last page: one batch with the three.
    expect(batches.map((batch) => [...batch.keys()].sort())).toEqual([['employeeId:10023', 'employeeId:10024', 'employeeId:E1001']]);
    const requests = (await directoryRequests(emulator, since)).filter((request) => !request.path.includes('externalId'));
    expect(requests.map((request) => request.kind)).toEqual(['list', 'list']);
  });

  it('falls back to users.get per key when users.list is refused, and reports nothing about the listing', async () => {
    const target = pagedTarget(500);
    const since = await signIn(target);
    await emulator.google.admin.setConfig({ faults: [{ effect: 'status', status: 403, code: 'forbidden', message: 'Not Authorized to access this resource/api', methods: ['GET'], path: '^/admin/directory/v1/users$' }] });
    const answers = await target.resolveSubjects(['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu', 'alan.turing@contoso.edu', 'nobody@contoso.edu'].map(key));
    expect(answers.get('upn:alan.turing@contoso.edu')).toMatchObject({ userPrincipalName: 'alan.turing@contoso.edu' });
    expect(answers.get('upn:nobody@contoso.edu')).toMatchObject({ problem: 'not-found', reason: 'No Google user has the address nobody@contoso.edu.' });
    const requests = await directoryRequests(emulator, since);
    expect(requests.filter((request) => request.kind === 'list').map((request) => request.status)).toEqual([403]);
    expect(count(requests, 'get')).toBe(4);
  });

  it('group and Entra object-id keys are answered without a request', async () => {
    const target = pagedTarget(500);
    const since = await signIn(target);
    const objectId = key('5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e01');
    const group = { kind: 'group', value: 'class-9b@contoso.edu', canonical: 'group:class-9b@contoso.edu' } as const;
    const answers = await target.resolveSubjects([objectId, group, { ...objectId, value: '5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e02', canonical: 'objectId:5c0d0a6e-7b1f-4f43-9f57-1a2b3c4d5e02' }]);
    expect(answers.get(group.canonical)).toMatchObject({ problem: 'failed' });
    expect(answers.get(objectId.canonical)).toMatchObject({ problem: 'not-found', reason: expect.stringMatching(/google: key/) });
    expect(await directoryRequests(emulator, since)).toEqual([]);
  });
});

describe('photos: presence from the lookup, delete-first only where a photo may be', () => {
  it('knows from the lookup who holds a photo, with no request; an id never looked up stays unknown', async () => {
    await emulator.google.admin.seedPhoto('grace.hopper@contoso.edu', portrait, 'admin');
    const target = pagedTarget(500);
    const answers = await target.resolveSubjects(['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu', 'alan.turing@contoso.edu'].map(key));
    const ids = ['upn:ada.lovelace@contoso.edu', 'upn:grace.hopper@contoso.edu'].map((canonical) => {
      const answer = answers.get(canonical);
      if (!isResolvedSubject(answer)) throw new Error(`${canonical} not resolved`);
      return answer.id;
    });
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    const presence = await target.photoPresence([...ids, '999999999999999999999']);
    expect(presence).toEqual(new Map([[ids[0], false], [ids[1], true]]));
    expect(await directoryRequests(emulator, since)).toEqual([]);
  });

  it('a user without a photo gets the update alone; one with a photo they set themselves gets delete + update, and it is replaced', async () => {
    const own = await jpeg(300, 300, { r: 0, g: 0, b: 255 });
    await emulator.google.admin.seedPhoto('grace.hopper@contoso.edu', own, 'user');
    const target = pagedTarget(500);
    const answers = await target.resolveSubjects(['ada.lovelace@contoso.edu', 'grace.hopper@contoso.edu', 'alan.turing@contoso.edu'].map(key));
    const [ada, grace] = ['upn:ada.lovelace@contoso.edu', 'upn:grace.hopper@contoso.edu'].map((canonical) => answers.get(canonical));
    if (!isResolvedSubject(ada) || !isResolvedSubject(grace)) throw new Error('not resolved');
    const since = (await emulator.admin.requests()).at(-1)?.seq ?? 0;
    await target.putPhoto(ada.id, portrait);
    await target.putPhoto(grace.id, portrait);
    const writes = (await directoryRequests(emulator, since)).map((request) => `${request.method} ${request.path.includes(ada.id) ? 'ada' : 'grace'}`);
    expect(writes).toEqual(['PUT ada', 'DELETE grace', 'PUT grace']);
    expect((await emulator.google.admin.photo('grace.hopper@contoso.edu'))?.equals(portrait)).toBe(true);
    // Our writes update what is known: a second put deletes first (a photo is there now), a delete forgets it.
    expect(await target.photoPresence([ada.id])).toEqual(new Map([[ada.id, true]]));
    await target.deletePhoto(ada.id);
    expect(await target.photoPresence([ada.id])).toEqual(new Map([[ada.id, false]]));
  });

  it('the accepted gap: a photo the user sets after the lookup stays until a later apply looks them up again', async () => {
    const target = pagedTarget(500);
    const ada = await target.resolveSubject(key('ada.lovelace@contoso.edu'));
    if (!isResolvedSubject(ada)) throw new Error('not resolved');
    const own = await jpeg(300, 300, { r: 0, g: 0, b: 255 });
    await emulator.google.admin.seedPhoto('ada.lovelace@contoso.edu', own, 'user');
    await target.putPhoto(ada.id, portrait); // no delete: the lookup saw no photo
    expect((await emulator.google.admin.photo('ada.lovelace@contoso.edu'))?.equals(own)).toBe(true);
    const next = pagedTarget(500); // the next apply's lookup sees the photo
    await next.resolveSubject(key('ada.lovelace@contoso.edu'));
    await next.putPhoto(ada.id, portrait);
    expect((await emulator.google.admin.photo('ada.lovelace@contoso.edu'))?.equals(portrait)).toBe(true);
  });
});
