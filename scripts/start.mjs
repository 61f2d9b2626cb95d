// `npm start`: the main job, end to end, on the embedded default — the sample manifests/ and
// photos/ applied to the local tenant emulator (Entra ID, Graph and GitHub OIDC on 127.0.0.1),
// all through the built CLI (dist/cli.js, the same core the action runs):
//
//   1. a scratch git repository (with a bare "origin") holding the sample, as a school's would
//   2. validate, plan (no base: everything is new), apply (GitHub OIDC → Entra → Graph)
//   3. the tenant's state, read back from the emulator, and `git log --decorate`
//   4. a second change (two retakes): plan and apply again — exactly two uploads
//
// The scratch repository declares targets: [entra, google] (manifests/targets.yaml), so each step
// runs for Google Workspace too (the emulator plays Google under /_google; apply --target google
// signs in keylessly with the same GitHub OIDC token service): one change lands in both.
//
// Nothing outside a temp directory is touched; the emulator stops at the end.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'entra-photos-start-'));
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const identity = { GIT_AUTHOR_NAME: 'School IT', GIT_AUTHOR_EMAIL: 'it@contoso.edu', GIT_COMMITTER_NAME: 'School IT', GIT_COMMITTER_EMAIL: 'it@contoso.edu' };
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env: { ...process.env, ...identity }, encoding: 'utf8' });
const title = (text) => console.log(`\n\x1b[1m== ${text}\x1b[0m`);

let emulator;
let status = 0;
try {
  title(`entra-photos on node ${process.version}: the sample repository against the local tenant emulator`);
  const origin = path.join(scratch, 'origin.git');
  const repo = path.join(scratch, 'photos-repo');
  git(scratch, 'init', '-q', '--bare', '-b', 'main', origin);
  git(scratch, 'init', '-q', '-b', 'main', repo);
  cpSync(path.join(root, 'manifests'), path.join(repo, 'manifests'), { recursive: true });
  cpSync(path.join(root, 'photos'), path.join(repo, 'photos'), { recursive: true });
  writeFileSync(path.join(repo, 'manifests', 'targets.yaml'), '# The directories this repository manages: Microsoft Entra ID and Google Workspace.\nversion: 1\ntargets: [entra, google]\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'Staff and student portraits');
  git(repo, 'remote', 'add', 'origin', origin);
  git(repo, 'push', '-q', 'origin', 'main');
  console.log(`repository: ${repo} (origin ${origin})`);

  // The app's service principal holds User Administrator, so the sample policy (User
  // Administrator, Global Administrator) does not lock it out.
  emulator = await startEmulator(['--directory-roles', USER_ADMINISTRATOR]);
  console.log(`emulator:   ${emulator.info.url} (tenant ${emulator.info.tenantId})`);
  const env = { ...process.env, ...emulator.info.env };
  const run = (...args) => {
    const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', env });
    return r.status ?? 2;
  };

  const google = emulator.info.google;
  const toGoogle = ['--target', 'google', '--google-workload-identity-provider', google.workloadIdentityProvider, '--google-service-account', google.serviceAccount, '--google-endpoint', google.endpoint];

  title('validate');
  if (run('validate', '--repo', repo, '--all') !== 0) throw new Error('validation failed');
  title('plan (nothing applied yet: everything is new), per target');
  run('plan', '--repo', repo, '--head', 'HEAD');
  title('apply to environment "production": Microsoft Entra ID');
  status = run('apply', '--repo', repo, '--environment', 'production');
  title('apply to environment "production": Google Workspace (its own record: entra-photos/google/applied/production)');
  status ||= run('apply', '--repo', repo, '--environment', 'production', ...toGoogle);

  title('the tenant now (read back from the emulator)');
  const state = await adminGet(emulator.info, '/state');
  for (const u of state.users.filter((u) => u.photo)) {
    console.log(`  ${u.userPrincipalName.padEnd(34)} ${u.photo.width}x${u.photo.height}  sha256 ${u.photo.sha256.slice(0, 16)}…`);
  }
  console.log(`  policy: source ${state.policy.source}, allowedRoles ${JSON.stringify(state.policy.allowedRoles)}`);
  title('Google Workspace now (read back from the emulator)');
  const googleState = await adminGet(emulator.info, '/google/state');
  for (const u of googleState.users.filter((u) => u.photo)) {
    console.log(`  ${u.primaryEmail.padEnd(34)} ${u.photo.width}x${u.photo.height}  sha256 ${u.photo.sha256.slice(0, 16)}…`);
  }
  title('git log --decorate (the applied revision is a tag; progress is a git note)');
  process.stdout.write(git(repo, 'fetch', '-q', 'origin', '+refs/tags/*:refs/tags/*') + git(repo, 'log', '--oneline', '--decorate', '-3'));

  title('a second change: two retakes');
  const retake = (file, from) => writeFileSync(path.join(repo, 'photos', file), readFileSync(path.join(repo, 'photos', from)));
  retake('staff/ada.lovelace.jpg', 'staff/grace.hopper.jpg');
  retake('students/10024.jpg', 'students/10025.jpg');
  git(repo, 'commit', '-qam', 'Retakes for Ada and 10024');
  git(repo, 'push', '-q', 'origin', 'main');
  run('plan', '--repo', repo, '--base', 'entra-photos/applied/production', '--head', 'HEAD');
  const before = (await adminGet(emulator.info, '/requests')).length;
  status ||= run('apply', '--repo', repo, '--environment', 'production');
  status ||= run('apply', '--repo', repo, '--environment', 'production', ...toGoogle);
  const requests = (await adminGet(emulator.info, '/requests')).slice(before);
  const puts = requests.filter((r) => r.api === 'graph' && r.method === 'PUT' && r.path.includes('/photo/'));
  const googlePuts = requests.filter((r) => r.api === 'google' && r.method === 'PUT' && r.path.includes('/photos/thumbnail'));
  console.log(`\nPhoto uploads in the second apply: Graph ${puts.length}, Google ${googlePuts.length}`);
  process.stdout.write(git(repo, 'fetch', '-q', 'origin', '+refs/tags/*:refs/tags/*') + git(repo, 'log', '--oneline', '--decorate', '-3'));
} catch (err) {
  console.error(`\nnpm start failed: ${err.message}`);
  status = 2;
} finally {
  emulator?.process.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(status);

/** Starts `entra-photos emulator` and reads the JSON line it prints first. */
function startEmulator(args) {
  const child = spawn(process.execPath, [cli, 'emulator', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ process: child, info: JSON.parse(line) }));
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it started`)));
  });
}

function adminGet(info, route) {
  return new Promise((resolve, reject) => {
    const req = request(`${info.adminUrl}${route}`, { ca: readFileSync(info.caCertPath) }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const json = JSON.parse(body);
        resolve(Array.isArray(json) ? json : (json.requests ?? json));
      });
    });
    req.on('error', reject);
    req.end();
  });
}
