import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_USERS } from '../../../src/emulator/index.js';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { GraphConnection, GraphError, classifyFailure } from '../../../src/target/entra/index.js';
import { credentialFor, jpeg, startTrustedEmulator } from './helpers.js';

/** How the Graph transport (node:https under the Graph client) fails and recovers, on the real emulator. */
describe('Graph transport', () => {
  let emulator: RunningEmulator;
  const ada = DEFAULT_USERS[0]!.userPrincipalName;
  const connect = () => {
    const { credential, endpoints } = credentialFor(emulator);
    return new GraphConnection({ credential, graphUrl: endpoints.graphUrl, scope: endpoints.scope });
  };
  const failureOf = async (promise: Promise<unknown>): Promise<GraphError> => {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(GraphError);
      return error as GraphError;
    }
    throw new Error('expected a failure');
  };

  beforeAll(async () => {
    emulator = await startTrustedEmulator({ throttle: false });
  });
  afterAll(() => emulator?.stop());
  beforeEach(() => emulator.admin.reset());

  it('answers JSON, headers and empty bodies (204) through the same Response', async () => {
    const graph = connect();
    const user = await graph.send<{ userPrincipalName: string }>({ method: 'GET', path: `/users/${encodeURIComponent(ada)}?$select=userPrincipalName` });
    expect(user.status).toBe(200);
    expect(user.body.userPrincipalName).toBe(ada);
    expect(user.requestId).toMatch(/\S/);
    const photoPath = `/users/${encodeURIComponent(ada)}/photo/$value`;
    const photo = await jpeg(96);
    await graph.send({ method: 'PUT', path: photoPath, body: photo, contentType: 'image/jpeg', responseType: 'none' });
    const stored = await graph.send<Buffer>({ method: 'GET', path: photoPath, responseType: 'bytes' });
    expect(stored.headers.get('content-type')).toMatch(/image\/jpeg/);
    expect(stored.body.length).toBeGreaterThan(0);
    const removed = await graph.send({ method: 'DELETE', path: photoPath, responseType: 'none' });
    expect(removed.status).toBe(204);
  });

  it('a slow answer is a timeout (retried), a cancelled one is an abort (not retried)', async () => {
    await emulator.admin.setConfig({ faults: [{ effect: 'delay', delayMs: 3_000, methods: ['GET'], path: '^/v1.0/users/' }] });
    const graph = connect();
    const path = `/users/${encodeURIComponent(ada)}`;
    const timedOut = await failureOf(graph.send({ method: 'GET', path, timeoutMs: 200 }));
    expect(timedOut.status).toBe(0);
    expect(timedOut.code).toBe('TimeoutError');
    expect(classifyFailure(timedOut).kind).toBe('transient');

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const aborted = await failureOf(graph.send({ method: 'GET', path, signal: controller.signal }));
    expect(aborted.code).toBe('AbortError');
    expect(classifyFailure(aborted).kind).toBe('fatal');
  });

  it('a reset connection is a transient network failure with its socket code', async () => {
    await emulator.admin.setConfig({ faults: [{ effect: 'reset', methods: ['GET'], path: '^/v1.0/users/', times: 1 }] });
    const graph = connect();
    const reset = await failureOf(graph.send({ method: 'GET', path: `/users/${encodeURIComponent(ada)}` }));
    expect(reset.status).toBe(0);
    expect(reset.code).toMatch(/^(ECONNRESET|EPIPE|UND_ERR_SOCKET)$/);
    expect(classifyFailure(reset).kind).toBe('transient');
    // The next request gets a fresh connection.
    expect((await graph.send({ method: 'GET', path: `/users/${encodeURIComponent(ada)}` })).status).toBe(200);
  });

  it('goes through HTTPS_PROXY (self-hosted runners behind a proxy), unless NO_PROXY names the host', async () => {
    const tunnels: string[] = [];
    const proxy = http.createServer().on('connect', (req, client, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
    try {
      process.env.HTTPS_PROXY = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
      delete process.env.NO_PROXY;
      const graphHost = new URL(emulator.graphUrl).host;
      // Signed in first: the sign-in (@azure/identity) has its own proxy handling; this is about Graph.
      const viaProxy = connect();
      await viaProxy.accessToken();
      tunnels.length = 0;
      expect((await viaProxy.send({ method: 'GET', path: `/users/${encodeURIComponent(ada)}` })).status).toBe(200);
      expect(tunnels).toEqual([graphHost]);

      process.env.NO_PROXY = new URL(emulator.graphUrl).hostname;
      const direct = connect();
      await direct.accessToken();
      tunnels.length = 0;
      expect((await direct.send({ method: 'GET', path: `/users/${encodeURIComponent(ada)}` })).status).toBe(200);
      expect(tunnels).toEqual([]);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      proxy.close();
    }
  });
});
