// The emulator's CA and server certificate, how clients come to trust them, and that stop()
// leaves nothing behind.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { trustEmulatorCa } from './helpers.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.stop());

function httpsGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('certificate authority', () => {
  it('is a CA constrained to loopback names, and signs a server certificate for 127.0.0.1 and localhost', async () => {
    const ca = new X509Certificate(emulator.caCertPem);
    expect(ca.ca).toBe(true);
    const { stdout } = await promisify(execFile)('openssl', ['x509', '-noout', '-text', '-in', emulator.caCertPath]);
    expect(stdout).toMatch(/Name Constraints: critical[\s\S]*IP:127\.0\.0\.1\/255\.255\.255\.255[\s\S]*DNS:localhost/);

    const peer = await new Promise<X509Certificate>((resolve, reject) => {
      const outgoing = request(emulator.adminUrl, { ca: emulator.caCertPem, agent: false }, (response) => {
        const certificate = (response.socket as import('node:tls').TLSSocket).getPeerX509Certificate();
        response.resume();
        if (certificate) resolve(certificate);
        else reject(new Error('no peer certificate'));
      });
      outgoing.on('error', reject).end();
    });
    expect(peer.verify(ca.publicKey)).toBe(true);
    expect(peer.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(peer.checkHost('localhost')).toBe('localhost');
  });

  it('is not trusted until the process is told to trust it', async () => {
    await expect(httpsGet(`${emulator.adminUrl}/state`)).rejects.toThrow(/certificate/i);
  });

  it('is trusted in-process by https.request and fetch after tls.setDefaultCACertificates', async () => {
    trustEmulatorCa(emulator.caCertPem);
    expect((await httpsGet(`${emulator.adminUrl}/state`)).status).toBe(200);
    expect((await fetch(`${emulator.adminUrl}/state`)).status).toBe(200);
  });

  it('is trusted by a child process through env.NODE_EXTRA_CA_CERTS', async () => {
    const script = `fetch(process.argv[1]).then(r => console.log(r.status), e => { console.error(String(e.cause ?? e)); process.exit(1); })`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, `${emulator.adminUrl}/state`], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: emulator.env.NODE_EXTRA_CA_CERTS },
    });
    expect(stdout.trim()).toBe('200');
  });

  it('reuses the CA kept in a given state directory, and keeps that directory on stop', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'emulator-state-'));
    try {
      const first = await startEmulator({ stateDir });
      await first.stop();
      const second = await startEmulator({ stateDir });
      await second.stop();
      expect(second.caCertPem).toBe(first.caCertPem);
      expect(second.caCertPath).toBe(join(stateDir, 'ca.pem'));
      expect(existsSync(second.caCertPath)).toBe(true);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('stop()', () => {
  it('closes the port, ends kept-alive connections and removes its temp state dir', async () => {
    const own = await startEmulator({ latency: { medianMs: 5_000, spreadMs: 0 } });
    trustEmulatorCa(own.caCertPem);
    const port = Number(new URL(own.url).port);
    // A keep-alive connection from fetch, and a request stuck in a 5 s latency delay.
    await fetch(`${own.adminUrl}/state`);
    const pending = fetch(`${own.graphUrl}/v1.0/users`).then(
      (response) => response.status,
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await own.stop();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(existsSync(own.caCertPath)).toBe(false);
    expect(await pending).toBe('failed'); // cut off by stop(), not answered
    await expect(
      new Promise((resolve, reject) => connect(port, '127.0.0.1').on('connect', resolve).on('error', reject)),
    ).rejects.toThrow(/ECONNREFUSED/);
    await own.stop(); // idempotent
  });
});
