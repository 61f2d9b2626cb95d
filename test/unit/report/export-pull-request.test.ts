/**
 * The export pull request's body, commit message and job summaries (mode: export): the tenant's
 * names and Graph's messages, and the workflow's inputs, stay inert text (checked on the GFM
 * syntax tree), the body fits a pull request, and the text stays on its lines.
 */
import { describe, expect, it } from 'vitest';
import type { ExportResult } from '../../../src/export/export.js';
import {
  exportActionText,
  exportAlreadyOpenSummary,
  exportCommitMessage,
  exportFailure,
  exportNothingSummary,
  exportPullRequestBody,
  exportPullRequestTitle,
  exportSummary,
  type ExportContext,
} from '../../../src/report/exportPullRequest.js';
import { expectInertMarkdown, renderedRows, renderedText } from '../../helpers/markdownTree.js';

const HOSTILE = [
  '@octocat',
  '@org/team',
  '[click](https://evil.example)',
  '![x](https://evil.example/b.png)',
  '<img src=x onerror=alert(1)>',
  '</details><script>alert(1)</script>',
  'a | b | c',
  'x\n# heading\n- item',
  'www.evil.example',
  'mail@evil.example',
  '#1 owner/repo#12 GH-3',
  '*bold* _em_ `code`',
  'evil\u202egnp.exe',
  '> [!WARNING]',
];
const SERVER = 'https://github.com';
const RUN = `${SERVER}/contoso/photos/actions/runs/7`;
const PR = `${SERVER}/contoso/photos/pull/12`;
const COMPARE = `${SERVER}/contoso/photos/compare/main...entra-photos/export/7?expand=1`;

function resultFor(values: string[], overrides: Partial<ExportResult> = {}): ExportResult {
  return {
    manifest: `manifests/${values[0]}.yaml`,
    listed: values.length * 5,
    resumed: 0,
    users: values.flatMap((v, i) => [
      { id: `a${i}`, userPrincipalName: `ok${i}@contoso.edu`, displayName: v, status: 'exported' as const, file: `photos/exported/ok${i}.jpg` },
      { id: `b${i}`, userPrincipalName: v, displayName: v, status: 'refused' as const, reason: `the tenant's photo would not pass validation: ${v}` },
      { id: `c${i}`, userPrincipalName: `${v}@contoso.edu`, status: 'failed' as const, reason: `Graph: ${v}` },
      { id: `d${i}`, userPrincipalName: `none${i}@contoso.edu`, displayName: v, status: 'no-photo' as const },
      { id: `e${i}`, userPrincipalName: `managed${i}@contoso.edu`, status: 'managed' as const, reason: `already declared at manifests/${v}.yaml:3` },
    ]),
    complete: false,
    durationMs: 1200,
    ...overrides,
  };
}

function contextFor(values: string[]): ExportContext {
  return { photoFolder: `photos/${values[0]}`, filters: { domains: values, group: values.join(' '), key: 'upn' }, runUrl: RUN };
}

const own = (...links: string[]) => ({ server: SERVER, links: new Set(links), images: new Set<string>() });

describe('the export pull request and summaries keep hostile data inert', () => {
  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('%s', (_, value) => {
    const values = [value!];
    const result = resultFor(values);
    const context = contextFor(values);
    expectInertMarkdown(exportPullRequestBody(result, context), own(RUN));
    expectInertMarkdown(exportSummary(result, context, { kind: 'opened', branch: value!, base: value!, url: PR }), own(RUN, PR));
    expectInertMarkdown(exportSummary(result, context, { kind: 'pushed', branch: value!, base: value!, compareUrl: COMPARE, why: `GitHub answered 403 (${value}).` }), own(RUN, COMPARE));
    expectInertMarkdown(exportNothingSummary(result, context), own());
    expectInertMarkdown(exportAlreadyOpenSummary(PR, value!), own(PR));
  });

  it('all at once: every user is listed under its reason, and only our links are links', () => {
    const result = resultFor(HOSTILE);
    const body = exportPullRequestBody(result, contextFor(HOSTILE));
    expectInertMarkdown(body, own(RUN));
    const rows = renderedRows(body);
    expect(rows[1]).toEqual(['70', `${HOSTILE.length}`, `${HOSTILE.length}`, `${HOSTILE.length}`, `${HOSTILE.length}`, `${HOSTILE.length}`, '0']);
    // Not exported: refused first, then failed, no photo, managed; every row two cells.
    const skipped = rows.slice(3);
    expect(skipped).toHaveLength(HOSTILE.length * 4);
    expect(skipped[0]![1]).toMatch(/^refused: /);
    expect(skipped.at(-1)![1]).toMatch(/^already declared at /);
    expect(renderedText(body)).toContain('The export did not complete');
  });

  it('a long list is capped with "and N more", and the body stays under GitHub\'s 65,536 characters', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `user${i}-${'x'.repeat(40)}`);
    const body = exportPullRequestBody(resultFor(many), { ...contextFor(['exported']) });
    expect(body.length).toBeLessThan(65_536);
    expect(renderedText(body)).toContain(`… and ${many.length * 4 - 100} more`);
  });
});

describe('plain text', () => {
  it('the commit message and the log keep every value on its line', () => {
    const plain = resultFor(['plain']);
    const hostile = resultFor(['x\ny\rz\u2028w']);
    const context = (v: string) => contextFor([v]);
    const lines = (text: string) => text.split('\n').length;
    expect(lines(exportCommitMessage(hostile, context('x\ny')))).toBe(lines(exportCommitMessage(plain, context('plain'))));
    expect(lines(exportActionText(hostile, undefined))).toBe(lines(exportActionText(plain, undefined)));
    expect(exportCommitMessage(plain, context('plain')).split('\n')[0]).toBe(exportPullRequestTitle(plain));
    expect(exportPullRequestTitle(resultFor(['one']))).toBe('Adopt 1 profile photo from the tenant');
  });
});

describe('an export of group photos (export-groups) speaks of groups and teams, not users', () => {
  const groupsContext: ExportContext = { photoFolder: 'photos/exported-groups', filters: { domains: [], group: '', key: 'upn', groups: true }, runUrl: RUN };
  const usersContext: ExportContext = { ...groupsContext, filters: { ...groupsContext.filters, groups: false } };
  const result = resultFor(['class-9b']);

  it('the title, the commit message, the body and the failure', () => {
    expect(exportPullRequestTitle(result, groupsContext.filters)).toBe('Adopt 1 group photo from the tenant');
    expect(exportPullRequestTitle(resultFor(['a', 'b']), groupsContext.filters)).toBe('Adopt 2 group photos from the tenant');
    const commit = exportCommitMessage(result, groupsContext);
    expect(commit.split('\n')[0]).toBe('Adopt 1 group photo from the tenant');
    expect(commit).toContain('the photos the tenant holds for 1 group(s) and team(s),');
    expect(commit).toContain('Filters: every domain; Microsoft 365 groups and teams named by mail address.');
    const body = renderedText(exportPullRequestBody(result, groupsContext));
    expect(body).toContain('Adopt 1 group photo from the tenant');
    expect(body).toContain('as they are: 1 group(s) and team(s), photos under photos/exported-groups/');
    expect(body).toContain('it adopts only the groups and teams no manifest declares yet');
    expect(body).not.toMatch(/\buser\(s\)|\bthe users no manifest/);
    expect(exportPullRequestBody(result, groupsContext)).toContain('| Group or team | Why |');
    expect(exportFailure(result, groupsContext.filters)).toMatch(/^Export interrupted: 5 group\(s\) and team\(s\) listed; .*it adopts only the groups and teams no manifest declares yet\.$/);
    expect(renderedText(exportSummary(result, groupsContext, { kind: 'opened', branch: 'b', base: 'main', url: PR }))).toContain('entra-photos: Export interrupted: 5 group(s) and team(s) listed;');
    expect(exportActionText(result, undefined, groupsContext.filters)).toContain('Export interrupted: 5 group(s) and team(s) listed;');
  });

  it('users (the default) keep their words', () => {
    expect(exportPullRequestTitle(result, usersContext.filters)).toBe('Adopt 1 profile photo from the tenant');
    expect(exportCommitMessage(result, usersContext)).toContain('for 1 user(s),');
    expect(exportPullRequestBody(result, usersContext)).toContain('| User | Why |');
    expect(exportFailure(result)).toMatch(/^Export interrupted: 5 user\(s\) listed; .*it adopts only the users no manifest declares yet\.$/);
    expect(exportFailure(resultFor([]), usersContext.filters)).toMatch(/ Run the export again\.$/);
  });
});
