/**
 * Pull requests written by an attacker (issue 11): file names, manifest values, user keys, role
 * names and symlink targets that carry workflow commands in every form the runner reads, run
 * through the built action (dist/index.js) as the runner runs it. The log may print the data,
 * but the runner must find no command in it that the action did not mean to write.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../helpers/fakeGitHub.js';
import { pullRequestRepo, type PullRequestRepo } from '../helpers/pullRequests.js';
import { copySample, git, SAMPLE_PHOTO, tempDir } from '../helpers/repo.js';
import { runCli } from '../helpers/runCli.js';
import { parseRunnerCommands, type RunnerCommand } from '../helpers/runnerCommands.js';
import { expectInertMarkdown } from '../helpers/markdownTree.js';
import { githubBlobUrl } from '../../src/report/markdown.js';

const SERVER = 'https://github.com';
const REPOSITORY = 'contoso/photos';

/** The summary and the sticky comment: what data may not make of them (links, images, mentions, HTML). */
function expectInertReports(run: { summary: string }, comment: string | undefined, own: { links: string[]; images: string[] }) {
  const urls = { server: SERVER, links: new Set(own.links), images: new Set(own.images) };
  expect(run.summary.length).toBeGreaterThan(0);
  expectInertMarkdown(run.summary, urls);
  expect(comment).toBeDefined();
  expectInertMarkdown(comment!, urls);
}
/** An annotation's file/line as the runner unescapes them. */
const unescapeProperty = (v: string) => v.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

let api: FakeGitHub;
let repo: PullRequestRepo;

/**
 * Every way a line becomes a command: after \n, \r\n and a lone \r; after leading white space;
 * the current `::` syntax (annotation on any file, outputs, masks, stop-commands) and the older
 * `##[` syntax anywhere in a line; and a zero-width character the runner's culture-aware
 * comparison may skip.
 */
function forms(tag: string): string[] {
  return [
    `x-${tag}`,
    `\n::error file=FORGED-${tag}.yaml,line=1::forged error`,
    `\r::set-output name=errors::0`,
    `\r\n  ::add-mask::M${tag}`,
    `\n\u200b::warning file=FORGED-${tag}.yaml::zero width`,
    `\r::stop-commands::HALT${tag}`,
    ` ##[warning file=FORGED-${tag}.yaml]v1 syntax`,
    `\n##[set-output name=errors;]0`,
  ];
}
const payload = (tag: string) => forms(tag).join('');
/** File names are at most 255 bytes: one form per file, each after the tag. */
const fileNames = (tag: string) => forms(tag).slice(1).map((form, i) => `x-${tag}${i}${form}.jpg`);
/** A YAML double-quoted scalar holding `s`. */
const yamlString = (s: string) => JSON.stringify(s);

/** The commands the runner would act on that the action did not write on purpose. */
function forged(commands: RunnerCommand[]): RunnerCommand[] {
  const ours = new Set(['error', 'warning', 'notice', 'debug', 'group', 'endgroup']);
  return commands.filter((c) => c.syntax === 'older' || !ours.has(c.command) || /^FORGED-\w+\.yaml$/.test(c.properties.file ?? '') || /^(forged|zero width|v1 syntax)/.test(c.data));
}

beforeAll(async () => {
  api = await startFakeGitHub();
  repo = await pullRequestRepo('entra-photos-hostile-pr-');
});
afterAll(async () => {
  await api.close();
  await repo.cleanup();
});

describe('hostile pull requests through the built action', () => {
  it('a failing pull request prints hostile names, values, keys, roles and link targets without one forged command', async () => {
    const photo = await readFile(SAMPLE_PHOTO);
    const pr = await repo.open(async (dir) => {
      // An orphan photo and a referenced one whose names carry the payload.
      for (const name of fileNames('orphan')) await writeFile(path.join(dir, 'photos/students', name), photo);
      await mkdir(path.join(dir, 'photos/odd'), { recursive: true });
      await symlink(`../../../${payload('link')}`, path.join(dir, 'photos/odd/link.jpg'));
      await writeFile(
        path.join(dir, 'manifests/hostile.yaml'),
        [
          'version: 1',
          'users:',
          `  - user: ${yamlString(payload('key'))}`,
          '    photo: students/10023.jpg',
          '  - user: hostile1@contoso.edu',
          `    photo: ${yamlString(payload('missing'))}`,
          '  - user: hostile2@contoso.edu',
          '    photo: odd/link.jpg',
          '',
        ].join('\n'),
      );
      const staff = await readFile(path.join(dir, 'manifests/staff.yaml'), 'utf8');
      await writeFile(path.join(dir, 'manifests/staff.yaml'), staff.replace('- User Administrator', `- ${yamlString(payload('role'))}`));
      // A manifest that does not parse: the parser's message quotes the source lines.
      await writeFile(path.join(dir, 'manifests/broken.yaml'), `version: 1\nusers:\n  - user: a@contoso.edu\n    photo: [\n::error file=FORGED-yaml.yaml::forged error\n##[set-output name=errors;]0\n`);
    });
    const r = await repo.run(pr, { apiUrl: api.url });
    if (process.env.SHOW_LOG) console.error(r.stdout);
    expect(r.code).toBe(1);
    const commands = parseRunnerCommands(r.stdout + r.stderr);
    expect(forged(commands)).toEqual([]);
    // The real findings are still annotations, counted in the output, and the payloads are shown.
    const errors = commands.filter((c) => c.command === 'error' && c.properties.title?.startsWith('entra-photos'));
    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(r.outputs.errors).toBe(String(errors.length));
    for (const tag of ['orphan', 'missing', 'role', 'link']) expect(r.stdout, tag).toContain(`x-${tag}`);
    // The plain log keeps each finding on its line: the payload's line breaks are shown, not made.
    const logLines = r.stdout.split('\n').filter((l) => !l.startsWith('::'));
    expect(logLines.some((l) => l.includes('x-missing') && l.includes('\\n') && l.includes('forged error'))).toBe(true);
    // Summary and comment: the only links are ours, to each finding's file and line in the head commit.
    const links = commands
      .filter((c) => c.properties.title?.startsWith('entra-photos') && c.properties.file)
      .map((c) => {
        const file = unescapeProperty(c.properties.file!).replace(/\\r/g, '\r').replace(/\\n/g, '\n');
        return `${githubBlobUrl(SERVER, REPOSITORY, pr.headSha, file)}${c.properties.line ? `#L${c.properties.line}` : ''}`;
      });
    expectInertReports(r, api.comments.find((c) => c.body.includes('entra-photos:plan'))?.body, { links, images: [] });
  });

  it('a valid pull request with a hostile file name plans it, prints it, and forges nothing', async () => {
    const photo = await readFile(SAMPLE_PHOTO);
    const names = fileNames('plan');
    const pr = await repo.open(async (dir) => {
      let m = await readFile(path.join(dir, 'manifests/students.yaml'), 'utf8');
      for (const [i, name] of names.entries()) {
        await writeFile(path.join(dir, 'photos/students', name), photo);
        m += `  - employeeId: "2000${i}"\n    photo: ${yamlString(`students/${name}`)}\n`;
      }
      await writeFile(path.join(dir, 'manifests/students.yaml'), m);
    });
    const r = await repo.run(pr, { apiUrl: api.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(forged(parseRunnerCommands(r.stdout))).toEqual([]);
    expect(r.outputs.errors).toBe('0');
    // The plan output is JSON: the name arrives intact for whoever consumes it.
    const plan = JSON.parse(r.outputs.plan!) as { uploads: { user: string; photo: string }[] };
    for (const [i, name] of names.entries()) expect(plan.uploads).toContainEqual(expect.objectContaining({ user: `2000${i}`, photo: `photos/students/${name}` }));
    expect(r.stdout).toContain('x-plan');
    const images = names.map((name) => `${githubBlobUrl(SERVER, REPOSITORY, pr.headSha, `photos/students/${name}`)}?raw=true`);
    const comment = api.comments.at(-1)?.body;
    expectInertReports(r, comment, { links: [], images });
    // The thumbnails are there: every hostile name got its picture, from our own URL.
    for (const src of images) expect(r.summary).toContain(`src="${src}"`);
  });
});

describe('the CLI in a workflow step', () => {
  it('validate and plan, as text and as JSON, print hostile names without a forged command; the JSON still parses to the names', async () => {
    const scratch = await tempDir('entra-photos-hostile-cli-');
    try {
      const dir = scratch.dir;
      await copySample(dir);
      const photo = await readFile(SAMPLE_PHOTO);
      const names = fileNames('cli');
      let m = await readFile(path.join(dir, 'manifests/students.yaml'), 'utf8');
      for (const [i, name] of names.entries()) {
        await writeFile(path.join(dir, 'photos/students', name), photo);
        m += `  - employeeId: "3000${i}"\n    photo: ${yamlString(`students/${name}`)}\n`;
      }
      m += `  - employeeId: "39999"\n    photo: ${yamlString(payload('cli-missing'))}\n`;
      await writeFile(path.join(dir, 'manifests/students.yaml'), m);
      git(dir, 'init', '-q', '-b', 'main');
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', 'hostile');
      const env = { GITHUB_ACTIONS: 'true' };
      for (const args of [['validate'], ['plan'], ['validate', '--format', 'json'], ['plan', '--format', 'json']]) {
        const r = await runCli([...args, '--repo', dir], env);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
        expect(forged(parseRunnerCommands(r.stdout + r.stderr)), args.join(' ')).toEqual([]);
        if (args.includes('json')) {
          const json = JSON.stringify(JSON.parse(r.stdout));
          expect(json).toContain('x-cli-missing');
          // A head with errors has no plan (issue 13): only the findings name the files.
          if (args[0] === 'plan') expect(JSON.parse(r.stdout)).toMatchObject({ available: false });
        } else {
          expect(r.stdout).toContain('x-cli-missing');
          if (args[0] === 'plan') expect(r.stdout).toContain('No plan:');
        }
      }
      // Without the broken entry the plan lists every hostile name, still without a forged command.
      await writeFile(path.join(dir, 'manifests/students.yaml'), m.replace(`  - employeeId: "39999"\n    photo: ${yamlString(payload('cli-missing'))}\n`, ''));
      git(dir, 'commit', '-q', '-am', 'fixed');
      for (const args of [['plan'], ['plan', '--format', 'json']]) {
        const r = await runCli([...args, '--repo', dir], env);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        expect(forged(parseRunnerCommands(r.stdout + r.stderr)), args.join(' ')).toEqual([]);
        if (args.includes('json')) {
          const json = JSON.stringify(JSON.parse(r.stdout));
          for (const name of names) expect(json).toContain(JSON.stringify(`students/${name}`).slice(1, -1));
        } else {
          expect(r.stdout).toContain('x-cli0');
        }
      }
    } finally {
      await scratch.cleanup();
    }
  });
});
