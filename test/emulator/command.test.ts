// `entra-photos emulator`: one JSON line first, serve until stopped, exit 0; usage errors exit 2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runEmulatorCommand, parseEmulatorArgs } from '../../src/emulator/command.js';
import { EmulatorAdminClient } from '../../src/emulator/index.js';

function capture(): { stream: PassThrough; text: () => string; firstLine: Promise<string> } {
  const stream = new PassThrough();
  let text = '';
  let resolveLine: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (resolveLine = resolve));
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    if (text.includes('\n')) resolveLine(text.slice(0, text.indexOf('\n')));
  });
  return { stream, text: () => text, firstLine };
}

describe('entra-photos emulator', () => {
  it('prints one JSON line with what a client needs, serves, and stops on abort with exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-cmd-'));
    try {
      const usersFile = join(dir, 'users.json');
      writeFileSync(usersFile, JSON.stringify([{ userPrincipalName: 'only.one@fabrikam.edu', employeeId: '1' }]));
      const stdout = capture();
      const stderr = capture();
      const abort = new AbortController();
      const exit = runEmulatorCommand(['--users', usersFile, '--latency', '5:2', '--throttle', '100:10', '--state-dir', dir], {
        stdout: stdout.stream,
        stderr: stderr.stream,
        signal: abort.signal,
      });
      const info = JSON.parse(await stdout.firstLine) as Record<string, unknown> & { env: Record<string, string> };
      for (const key of ['graphUrl', 'authorityHost', 'tenantId', 'clientId', 'caCertPath', 'adminUrl']) expect(info[key]).toBeTruthy();
      expect(info['google']).toMatchObject({ endpoint: `${String(info['url'])}/_google`, workloadIdentityProvider: expect.stringMatching(/^projects\/\d+\/locations\/global\/workloadIdentityPools\//) });
      for (const key of ['NODE_EXTRA_CA_CERTS', 'ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ENTRA_PHOTOS_TENANT_ID', 'ENTRA_PHOTOS_CLIENT_ID', 'ENTRA_PHOTOS_AUTHORITY_HOST', 'ENTRA_PHOTOS_GRAPH_URL']) {
        expect(info.env[key]).toBeTruthy();
      }
      expect(info.caCertPath).toBe(join(dir, 'ca.pem'));

      const admin = new EmulatorAdminClient(String(info['adminUrl']), readFileSync(String(info['caCertPath']), 'utf8'));
      expect((await admin.state()).users.map((user) => user.userPrincipalName)).toEqual(['only.one@fabrikam.edu']);
      expect((await admin.config()).throttle).toMatchObject({ burst: 100, refillPerSecond: 10 });
      expect((await admin.config()).latency).toEqual({ medianMs: 5, spreadMs: 2 });

      abort.abort();
      expect(await exit).toBe(0);
      expect(stdout.text().trim().split('\n')).toHaveLength(1);
      await expect(admin.state()).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with usage on a bad option, 0 with --help', async () => {
    const stderr = capture();
    expect(await runEmulatorCommand(['--throttle', 'lots'], { stderr: stderr.stream, stdout: capture().stream })).toBe(2);
    expect(stderr.text()).toContain('--throttle must be BURST:RATE');
    const stdout = capture();
    expect(await runEmulatorCommand(['--help'], { stdout: stdout.stream })).toBe(0);
    expect(stdout.text()).toContain('Usage: entra-photos emulator');
  });

  it('maps options onto startEmulator', async () => {
    expect(await parseEmulatorArgs(['--throttle', 'off'])).toMatchObject({ throttle: false });
    expect(await parseEmulatorArgs(['--oidc', 'pull_request'])).toMatchObject({ oidc: { kind: 'pull_request', repository: 'contoso/photos' } });
    expect(await parseEmulatorArgs(['--environment', 'staging', '--max-concurrent', '4', '--no-count-rejected'])).toMatchObject({
      oidc: { kind: 'push', environment: 'staging' },
      throttle: { maxConcurrent: 4, countRejected: false },
    });
    expect(await parseEmulatorArgs(['--permissions', 'User.ReadWrite.All, ProfilePhoto.ReadWrite.All'])).toMatchObject({
      appPermissions: ['User.ReadWrite.All', 'ProfilePhoto.ReadWrite.All'],
    });
  });
});
