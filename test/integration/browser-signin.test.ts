/**
 * `--auth browser` end to end (issue 14, part 1): the built CLI, the real
 * InteractiveBrowserCredential (MSAL's loopback listener on http://localhost:PORT, PKCE), the real
 * `open` package, and the emulator's authorization endpoint. The "browser" is a stand-in `xdg-open`
 * on PATH (test/helpers/standInBrowser.mjs): bundled, `open` uses the xdg-open on PATH, and a
 * browser with a signed-in session GETs the authorize URL and follows the redirect to the listener.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { REPO_ROOT, tempDir, writeTree } from '../helpers/repo.js';
import { laptopEnv, runCli } from '../helpers/runCli.js';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let emulator: RunningEmulator;
let count = 0;
const ADMIN = 'ada.lovelace@contoso.edu';

/** A directory holding an `xdg-open` that runs the stand-in browser, and the log it writes. */
async function standInBrowser(): Promise<{ bin: string; log: string; steps: () => Promise<Array<Record<string, unknown>>>; settled: () => Promise<Array<Record<string, unknown>>> }> {
  const bin = path.join(scratch.dir, `browser-${++count}`);
  const log = path.join(bin, 'browser.log');
  await writeTree(bin, { 'browser.log': '' });
  const script = path.join(REPO_ROOT, 'test', 'helpers', 'standInBrowser.mjs');
  await writeFile(path.join(bin, 'xdg-open'), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
  await chmod(path.join(bin, 'xdg-open'), 0o755);
  const steps = async (): Promise<Array<Record<string, unknown>>> =>
    (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  // The stand-in runs apart from the CLI and logs a step once its answer arrived, which may be
  // after the CLI has exited: wait (10 s at most) for the step that ends its visit.
  const settled = async (): Promise<Array<Record<string, unknown>>> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const seen = await steps();
      if (['loopback', 'failed', 'closed'].includes(String(seen.at(-1)?.['step'])) || Date.now() > deadline) return seen;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { bin, log, steps, settled };
}

async function face(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 648, height: 648, channels: 3, background: `hsl(${(seed * 53) % 360},55%,45%)` } }).jpeg().toBuffer();
}

async function exportWithBrowser(name: string, browser: { bin: string; log: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  const repo = path.join(scratch.dir, name);
  await writeTree(repo, { 'manifests/.keep': '' });
  return runCli(
    ['export', '--repo', repo, '--domain', 'contoso.edu', '--format', 'json', '--auth', 'browser'],
    laptopEnv(emulator, { PATH: `${browser.bin}:${process.env.PATH}`, STAND_IN_BROWSER_LOG: browser.log }),
  );
}

/**
 * The built CLI as a running child, for what runCli cannot do: look at stderr while the command
 * waits, and send it a signal.
 */
const started: ChildProcess[] = [];
function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), ...args], { env: { HOME: process.env.HOME ?? '/tmp', ...env } });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  /** Resolves once stderr holds `text` (the test's own timeout bounds the wait). */
  const stderrHas = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!stderr.includes(text)) return;
        child.stderr.off('data', check);
        resolve();
      };
      child.stderr.on('data', check);
      check();
    });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return { child, exited, stderrHas, output: () => ({ stdout, stderr }) };
}

beforeAll(async () => {
  scratch = await tempDir('entra-photos-browser-');
  emulator = await startEmulator({ appPermissions: ['ProfilePhoto.ReadWrite.All', 'User.Read.All', 'GroupMember.Read.All'] });
  await emulator.admin.seedPhoto('grace.hopper@contoso.edu', await face(1));
  await emulator.admin.seedPhoto('alan.turing@contoso.edu', await face(2));
}, 30_000);
afterAll(async () => {
  // A CLI a failed test left waiting for its browser (its loopback listener keeps it alive).
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await emulator?.stop();
  await scratch?.cleanup();
});
beforeEach(async () => {
  await emulator.admin.setBrowserSignIn(undefined);
  await emulator.admin.clearRequests();
});

describe('--auth browser', () => {
  it('opens the browser at the authorize URL, takes the code on the loopback listener, and export works signed in', async () => {
    await emulator.admin.setBrowserSignIn({ user: ADMIN, scopes: ['User.Read.All', 'ProfilePhoto.ReadWrite.All'] });
    const browser = await standInBrowser();
    const run = await exportWithBrowser('export-browser', browser);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Signing in with the browser: a sign-in page opens in your default browser');
    expect(run.stderr).toContain(`Signed in with the browser to tenant ${emulator.tenantId}.`);
    expect(JSON.parse(run.stdout).counts.exported).toBe(2);

    const steps = await browser.settled();
    expect(steps.map((step) => step['step'])).toEqual(['open', 'redirect', 'loopback']);
    const opened = new URL(String(steps[0]!['url']));
    expect(`${opened.origin}${opened.pathname}`).toBe(`${emulator.url}/${emulator.tenantId}/oauth2/v2.0/authorize`);
    expect(opened.searchParams.get('client_id')).toBe(emulator.clientId);
    expect(opened.searchParams.get('response_type')).toBe('code');
    expect(opened.searchParams.get('code_challenge_method')).toBe('S256');
    const redirectUri = new URL(opened.searchParams.get('redirect_uri') ?? '');
    expect(redirectUri.protocol).toBe('http:');
    expect(redirectUri.hostname).toBe('localhost');
    expect(Number(redirectUri.port)).toBeGreaterThan(0);
    // Back to the listener with the code (Entra adds the trailing slash to a redirect URI without
    // a path); the listener took it and sent the browser on to its root, out of the history.
    const location = new URL(String(steps[1]!['location']));
    expect(`${location.origin}${location.pathname}`).toBe(`${redirectUri.origin}/`);
    expect(location.searchParams.get('code')).toBe('<code>');
    expect(steps[2]).toMatchObject({ step: 'loopback', status: 302, location: redirectUri.origin });

    const entra = (await emulator.admin.requests()).filter((r) => r.api === 'entra').map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`);
    expect(entra).toContain(`GET /${emulator.tenantId}/oauth2/v2.0/authorize 302`);
    expect(entra).toContain(`POST /${emulator.tenantId}/oauth2/v2.0/token 200`);
  }, 60_000);

  it('the admin declines in the browser: the command stops with a message that says so and what to do', async () => {
    await emulator.admin.setBrowserSignIn('decline');
    const browser = await standInBrowser();
    const run = await exportWithBrowser('export-declined', browser);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('The sign-in in the browser was declined (access_denied: AADSTS65004: User declined to consent to access the app.)');
    expect(run.stderr).toContain('accept the permissions the app asks for');
    expect(run.stderr).toContain(`grant admin consent for app ${emulator.clientId}`);
    expect(run.stderr).not.toContain('Signed in with the browser');
    expect(run.stdout).toBe('');
    // The browser was sent back to the listener with the error, which showed its error page.
    expect((await browser.settled()).at(-1)).toMatchObject({ step: 'loopback', status: 200, text: 'Error occurred: access_denied' });
    const entra = (await emulator.admin.requests()).filter((r) => r.api === 'entra').map((r) => `${r.method} ${r.path.split('?')[0]}`);
    expect(entra).not.toContain(`POST /${emulator.tenantId}/oauth2/v2.0/token`);
  }, 60_000);

  it('a wrong client id: Entra shows AADSTS700016 on its page and never redirects; the CLI reminds what that means, and Ctrl-C ends it cleanly', async () => {
    await emulator.admin.setBrowserSignIn({ user: ADMIN, scopes: ['User.Read.All'] });
    const browser = await standInBrowser();
    const repo = path.join(scratch.dir, 'export-wrong-client');
    await writeTree(repo, { 'manifests/.keep': '' });
    const wrongClientId = '11111111-2222-4333-8444-555555555555';
    const cli = startCli(
      ['export', '--repo', repo, '--domain', 'contoso.edu', '--auth', 'browser', '--client-id', wrongClientId],
      laptopEnv(emulator, { PATH: `${browser.bin}:${process.env.PATH}`, STAND_IN_BROWSER_LOG: browser.log, ENTRA_PHOTOS_BROWSER_REMINDER_SECONDS: '1' }),
    );
    await cli.stderrHas('Still waiting for the sign-in in the browser (1 s).');
    // The browser got Entra's error page, not a redirect: nothing will come back to the listener.
    const page = (await browser.steps()).find((step) => step['step'] === 'page');
    expect(page).toMatchObject({ status: 400 });
    expect(String(page!['text'])).toContain('AADSTS700016');
    cli.child.kill('SIGINT');
    const exit = await cli.exited;
    const { stdout, stderr } = cli.output();
    expect(exit).toEqual({ code: 130, signal: null });
    expect(stderr).toContain('If the page shows an error (AADSTS50011: add the redirect URI http://localhost under "Mobile and desktop applications"; AADSTS700016: check --client-id), press Ctrl-C');
    expect(stderr.trimEnd().split('\n').at(-1)).toBe('Sign-in cancelled (Ctrl-C).');
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
    expect(stdout).toBe('');
    expect((await emulator.admin.requests()).some((r) => r.path.includes('/oauth2/v2.0/token'))).toBe(false);
  }, 60_000);

  it('the page is closed before the redirect: SIGTERM (or Ctrl-C) ends the wait at once, before any reminder', async () => {
    await emulator.admin.setBrowserSignIn({ user: ADMIN, scopes: ['User.Read.All'] });
    const browser = await standInBrowser();
    const repo = path.join(scratch.dir, 'export-closed');
    await writeTree(repo, { 'manifests/.keep': '' });
    const cli = startCli(
      ['export', '--repo', repo, '--domain', 'contoso.edu', '--auth', 'browser'],
      laptopEnv(emulator, { PATH: `${browser.bin}:${process.env.PATH}`, STAND_IN_BROWSER_LOG: browser.log, STAND_IN_BROWSER_FOLLOW: 'no' }),
    );
    await cli.stderrHas('Signing in with the browser');
    while (!(await browser.steps()).some((step) => step['step'] === 'closed')) await new Promise((resolve) => setTimeout(resolve, 50));
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 143, signal: null });
    const { stderr } = cli.output();
    expect(stderr.trimEnd().split('\n').at(-1)).toBe('Sign-in cancelled (SIGTERM).');
    expect(stderr).not.toContain('Still waiting');
  }, 60_000);

  it('without a browser opener (no xdg-open on PATH: a server, an SSH session) it says to use device code, instead of crashing', async () => {
    // PATH holds git only (export reads the repository); no xdg-open anywhere.
    const bin = path.join(scratch.dir, 'no-browser');
    await writeTree(bin, { '.keep': '' });
    await symlink(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), path.join(bin, 'git'));
    const repo = path.join(scratch.dir, 'export-no-browser');
    await writeTree(repo, { 'manifests/.keep': '' });
    const run = await runCli(['export', '--repo', repo, '--domain', 'contoso.edu', '--auth', 'browser'], laptopEnv(emulator, { PATH: bin }));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--auth browser needs a browser to open: there is no xdg-open on PATH');
    expect(run.stderr).toContain('use --auth device-code');
    expect(run.stderr).not.toMatch(/Unhandled 'error' event|ENOENT|at ChildProcess/);
    expect((await emulator.admin.requests()).some((r) => r.path.includes('/oauth2/v2.0/authorize'))).toBe(false);
  }, 60_000);
});
