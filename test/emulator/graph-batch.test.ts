// JSON batching: at most 20 requests, each run (and throttled, and logged) on its own,
// binary bodies base64 both ways, dependsOn.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '@microsoft/microsoft-graph-client';
import { MAX_BATCH_REQUESTS, startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { authProviderFor, federatedCredential, graphClient, graphFailure, jpeg, trustEmulatorCa } from './helpers.js';

interface BatchResponse {
  responses: Array<{ id: string; status: number; headers: Record<string, string>; body?: unknown }>;
}

let emulator: RunningEmulator;
let graph: Client;
let portrait: Buffer;

beforeAll(async () => {
  emulator = await startEmulator();
  trustEmulatorCa(emulator.caCertPem);
  graph = graphClient(emulator, authProviderFor(federatedCredential(emulator)), { retries: false });
  portrait = await jpeg(120);
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.admin.reset());

const batch = async (requests: unknown[]): Promise<BatchResponse> => (await graph.api('/$batch').post({ requests })) as BatchResponse;
const byId = (response: BatchResponse, id: string): BatchResponse['responses'][number] => {
  const found = response.responses.find((item) => item.id === id);
  if (!found) throw new Error(`no response ${id}`);
  return found;
};

describe('POST /$batch', () => {
  it('runs up to 20 lookups and answers each by id', async () => {
    const requests = Array.from({ length: MAX_BATCH_REQUESTS }, (_, index) => ({
      id: String(index + 1),
      method: 'GET',
      url: index === 0 ? '/users/nobody@contoso.edu' : `/users?$filter=employeeId eq '${10023 + (index % 9)}'&$select=id,employeeId`,
    }));
    const response = await batch(requests);
    expect(response.responses).toHaveLength(20);
    expect(byId(response, '1')).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(byId(response, '2')).toMatchObject({ status: 200, body: { value: [{ employeeId: '10024' }] } });
  });

  it('refuses more than 20 requests with 400', async () => {
    const requests = Array.from({ length: 21 }, (_, index) => ({ id: String(index), method: 'GET', url: '/users?$top=1' }));
    const { statusCode, code } = await graphFailure(graph.api('/$batch').post({ requests }));
    expect(statusCode).toBe(400);
    expect(code).toBe('BadRequest');
  });

  it('takes a photo PUT with a base64 body, and returns a binary GET as base64', async () => {
    const response = await batch([
      { id: 'put', method: 'PUT', url: '/users/s10025@students.contoso.edu/photo/$value', headers: { 'Content-Type': 'image/jpeg' }, body: portrait.toString('base64') },
      { id: 'get', method: 'GET', url: '/users/s10025@students.contoso.edu/photo/$value', dependsOn: ['put'] },
      { id: 'meta', method: 'GET', url: '/users/s10025@students.contoso.edu/photo', dependsOn: ['put'] },
    ]);
    expect(byId(response, 'put').status).toBe(200);
    const photoBack = Buffer.from(String(byId(response, 'get').body), 'base64');
    expect(createHash('sha256').update(photoBack).digest('hex')).toBe(createHash('sha256').update(portrait).digest('hex'));
    expect(byId(response, 'meta').body).toMatchObject({ width: 120, height: 120 });
    const state = await emulator.admin.state();
    expect(state.users.find((user) => user.employeeId === '10025')?.photo?.width).toBe(120);
  });

  it('answers 424 to a request whose dependency failed', async () => {
    const response = await batch([
      { id: 'bad', method: 'PUT', url: '/users/s10026@students.contoso.edu/photo/$value', headers: { 'Content-Type': 'image/jpeg' }, body: Buffer.from('nope').toString('base64') },
      { id: 'after', method: 'GET', url: '/users/s10026@students.contoso.edu/photo', dependsOn: ['bad'] },
    ]);
    expect(byId(response, 'bad').status).toBe(400);
    expect(byId(response, 'after').status).toBe(424);
  });

  it('throttles and logs each sub-request on its own', async () => {
    await emulator.admin.setConfig({ throttle: { burst: 2, refillPerSecond: 0.5 } });
    const requests = Array.from({ length: 4 }, (_, index) => ({
      id: String(index),
      method: 'PUT',
      url: `/users/s1002${index + 3}@students.contoso.edu/photo/$value`,
      headers: { 'Content-Type': 'image/jpeg' },
      body: portrait.toString('base64'),
    }));
    const response = await batch(requests);
    expect(response.responses.map((item) => item.status)).toEqual([200, 200, 429, 429]);
    expect(Number(byId(response, '2').headers['Retry-After'])).toBeGreaterThan(0);
    const log = await emulator.admin.requests();
    const parent = log.find((entry) => entry.path === '/v1.0/$batch');
    const children = log.filter((entry) => entry.batch?.parentSeq === parent?.seq);
    expect(children.map((entry) => [entry.status, entry.throttled])).toEqual([[200, false], [200, false], [429, true], [429, true]]);
    expect(children[0]?.userId).toBe('0b6c2f0e-3c1d-4a3e-9f7a-2d5e8c1b9a01');
  });
});
