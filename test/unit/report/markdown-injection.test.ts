/**
 * Issue 11: text from a pull request (file names, manifest values, user keys, messages that quote
 * them) and from the tenant (Graph's error messages) goes into the job summary and the sticky PR
 * comment. Rendered through every Markdown report builder, it must stay text: checked on the
 * GitHub-flavoured Markdown syntax tree (markdown-tree.ts), not on substrings.
 */
import { describe, expect, it } from 'vitest';
import type { ApplyResult, UserOutcome } from '../../../src/apply/apply.js';
import type { Finding } from '../../../src/core/findings.js';
import { printable } from '../../../src/core/untrusted.js';
import type { DesiredPolicy } from '../../../src/desired/desired.js';
import type { DriftResult, UserDrift } from '../../../src/drift/drift.js';
import type { ExportResult } from '../../../src/export/export.js';
import type { ImportResult } from '../../../src/import/import.js';
import type { UserKey } from '../../../src/manifest/userKey.js';
import type { Plan } from '../../../src/plan/plan.js';
import { applyMarkdown, applyText } from '../../../src/report/apply.js';
import { driftMarkdown, driftText } from '../../../src/report/drift.js';
import { exportText } from '../../../src/report/export.js';
import { importText } from '../../../src/report/import.js';
import { encodePathSegment, githubBlobUrl, mdLink, mdRevision, mdText, safeUrl } from '../../../src/report/markdown.js';
import { planMarkdown, planText } from '../../../src/report/plan.js';
import { validationSummary, validationText } from '../../../src/report/validation.js';
import type { ValidationResult } from '../../../src/validate/validate.js';
import { expectInertMarkdown, parseGfm, visibleText, ZWSP, type OwnUrls } from '../../helpers/markdownTree.js';

const HOSTILE: string[] = [
  '@org/team',
  '@octocat',
  'cc @octocat, thanks',
  '\u200b@octocat',
  '[click](https://evil.example)',
  '![x](https://evil.example/b.png)',
  ') ![b](https://evil.example/x.png',
  '<https://evil.example>',
  '[x]: https://evil.example',
  'see [^1]',
  'a`b`',
  '``',
  '`',
  '\\|',
  '|',
  'a | b | c',
  'a\rb',
  'a\nb',
  'x\n# heading\n- item\n\n| a | b |',
  'a\u2028b',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '<details>',
  'https://evil.example',
  'www.evil.example',
  'mail@evil.example',
  'mailto:mail@evil.example',
  '*bold* _em_ ~~strike~~ **strong**',
  '#1',
  'owner/repo#12',
  'GH-12 gh-3',
  '&lt;',
  '&#64;octocat',
  'trailing\\',
  'evil\u202egnp.exe',
  '$x^2$',
  '- item',
  '# heading',
  '> quote',
  '---',
  '1. first',
  '../../../evil/repo/raw/main/x.png',
  'Ｈ＠ｏctocat fullwidth ＃1',
];

const SERVER = 'https://github.example';
const REPO = 'octo-org/photos';
const SHA = 'c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe';
const blob = (path: string) => githubBlobUrl(SERVER, REPO, SHA, path);

/** A key as a manifest could never parse it: the reports must not rely on the parser. */
const key = (value: string, kind: UserKey['kind'] = 'employeeId'): UserKey => ({ kind, value, canonical: `${kind}:${value}` });
const at = (file: string) => ({ file, line: 7, col: 3 });
const settings = { enabled: true, crop: 'centre' } as const;

/** How a value shows (modulo our zero-width spaces): printable, so line breaks and bidi are visible. */
const shown = (value: string) => printable(value);

function expectVisible(tree: ReturnType<typeof parseGfm>, values: string[]): void {
  const text = visibleText(tree);
  for (const v of values) expect(text, `"${JSON.stringify(v)}" is not shown`).toContain(shown(v));
}

// --- builders of realistic results -----------------------------------------------------------

function validation(findings: Finding[]): ValidationResult {
  return { findings, manifestFiles: ['manifests/a.yaml'], users: [], decoded: [], stats: { manifests: 1, users: findings.length, photos: findings.length, photosDecoded: findings.length } };
}

function findingsFor(values: string[]): Finding[] {
  return values.flatMap((v, i): Finding[] => [
    { severity: 'error', code: 'photo-missing', file: `manifests/${v}.yaml`, line: i + 1, col: 3, message: `The photo "photos/${v}.jpg" does not exist.` },
    { severity: 'warning', code: 'orphan-photo', file: v, message: `${v} is not used by any manifest.` },
  ]);
}

const policy = (roles: string[]): DesiredPolicy => ({ source: 'cloud', allowedRoles: roles, declaredAt: at('manifests/policy.yaml') });

function planFor(values: string[], overrides: Partial<Plan> = {}): Plan {
  return {
    base: 'aaaaaaaaaaaa',
    head: 'bbbbbbbbbbbb',
    uploads: values.flatMap((v, i) => [
      { key: key(v), name: v, photo: `photos/${v}.jpg`, reason: 'new' as const, fingerprint: `n${i}`, settings, declaredAt: at(`manifests/${v}.yaml`) },
      // The name (manifest `name:`) is data too, also beside a plain key.
      { key: key(`named${i}`), name: v, photo: `photos/named${i}.jpg`, reason: 'new' as const, fingerprint: `m${i}`, settings, declaredAt: at('manifests/a.yaml') },
      { key: key(v, 'upn'), photo: v, reason: 'replaced' as const, previousPhoto: `old/${v}`, fingerprint: `r${i}`, settings, declaredAt: at('manifests/a.yaml') },
    ]),
    removals: values.flatMap((v, i) => [{ key: key(v, 'upn'), photo: `gone/${v}.jpg` }, { key: key(`gone${i}`, 'upn'), name: v, photo: `gone/${i}.jpg` }]),
    prune: false,
    policy: { from: policy([]), to: policy([...values, 'fe930be7-5e62-47db-91af-98c3a49a38b1']) },
    unchanged: 3,
    ...overrides,
  };
}

function applyFor(values: string[]): ApplyResult {
  const outcomes: UserOutcome[] = values.flatMap((v, i): UserOutcome[] => [
    { key: key(v), action: 'upload', status: 'failed', photo: `photos/${v}.jpg`, reason: `Graph: ${v}` },
    { key: key(v, 'upn'), action: 'remove', status: 'removed', photo: v },
    { key: key(v, 'objectId'), action: 'upload', status: 'cancelled', photo: v },
    { key: key(`named${i}`), action: 'upload', status: 'failed', photo: `photos/named${i}.jpg`, reason: 'Graph: 500' },
    { key: key(`shown${i}`), action: 'upload', status: 'uploaded', photo: `photos/shown${i}.jpg` },
    { key: key(`waiting${i}`), action: 'upload', status: 'pending', code: 'no-account', photo: `photos/waiting${i}.jpg`, declaredAt: { file: 'manifests/a.yaml', line: 9 }, reason: 'No user in the tenant has it.' },
    // Waiting for an account: the key, the manifest path and the reason are data.
    { key: key(v, 'upn'), action: 'upload', status: 'pending', code: 'no-account', photo: `photos/${v}.jpg`, declaredAt: { file: `manifests/${v}.yaml`, line: 4 }, reason: `No user in the tenant has ${v}.`, waitingSince: '2026-11-20T10:00:00.000Z' },
  ]);
  return {
    environment: 'production',
    base: 'aaaaaaaaaaaa',
    head: 'bbbbbbbbbbbb',
    validation: validation([]),
    alreadyLanded: 0,
    outcomes,
    policy: { status: 'refused', from: { source: 'cloud', allowedRoles: values }, to: { source: null, allowedRoles: [values.join(' ')] }, message: `Refused: ${values.join(' ')}` },
    appliedRevision: 'aaaaaaaaaaaa',
    record: 'not-complete',
    cancelled: false,
    durationMs: 1234,
    pacer: { attempts: 4, throttled: 1, retries: 1 } as ApplyResult['pacer'],
    // Names from the manifest or the tenant's displayName: data, beside hostile and plain keys.
    names: new Map(values.flatMap((v, i) => [[key(v).canonical, v], [key(`named${i}`).canonical, v], [key(`shown${i}`).canonical, v], [key(`waiting${i}`).canonical, v]])),
  };
}

function driftFor(values: string[]): DriftResult {
  const users: UserDrift[] = values.flatMap((v, i): UserDrift[] => [
    { key: key(v), photo: `photos/${v}.jpg`, declaredAt: at(`manifests/${v}.yaml`), status: 'different', similarity: 0.41, tenantPhoto: { width: 96, height: 96, bytes: 4000 }, reason: `looks different: ${v}` },
    { key: key(v, 'upn'), photo: v, declaredAt: at('manifests/a.yaml'), status: 'error', reason: v },
    { key: key(v, 'objectId'), photo: v, declaredAt: at(v), status: 'missing' },
    { key: key(`named${i}`), name: v, photo: `photos/named${i}.jpg`, declaredAt: at('manifests/a.yaml'), status: 'unresolved', reason: 'No user.' },
    { key: key(v, 'upn'), name: v, photo: v, declaredAt: at(v), status: 'waiting', waiting: { since: v, problem: 'not-found', environment: v }, reason: v },
  ]);
  return {
    head: 'bbbbbbbbbbbbbbbbbbbb',
    validation: validation([]),
    threshold: 0.9,
    users,
    policy: { status: 'error', declared: { source: 'cloud', allowedRoles: values }, tenant: { source: 'cloud', allowedRoles: [] }, reason: `Graph said: ${values.join(' ')}` },
    cancelled: false,
    durationMs: 99,
  };
}

function exportFor(values: string[]): ExportResult {
  return {
    manifest: `manifests/${values[0]}.yaml`,
    listed: values.length,
    resumed: 0,
    users: values.flatMap((v, i) => [
      { id: `id-${i}`, userPrincipalName: v, status: 'failed' as const, reason: `Graph: ${v}` },
      { id: `id2-${i}`, userPrincipalName: `${v}@x`, status: 'refused' as const, reason: v },
      { id: `id3-${i}`, userPrincipalName: `plain${i}@x`, displayName: v, status: 'failed' as const, reason: 'Graph: 500' },
    ]),
    complete: true,
    durationMs: 10,
  };
}

function importFor(values: string[]): ImportResult {
  return {
    manifest: `manifests/${values[0]}.yaml`,
    rows: values.map((v, i) => ({ source: 'INDEX.TXT', line: i + 2, id: v, file: v, name: v, status: 'unmatched' as const, message: `INDEX.TXT:${i + 2}: ${v} matches no user.` })),
    // The roster's column names are data too.
    keys: values.map((v) => ({ field: 'user' as const, from: 'mail' as const, why: `the roster's "${v}" column`, count: 1 })),
    directorySize: 10,
    dryRun: false,
    durationMs: 10,
  };
}

// --- the Markdown builders -------------------------------------------------------------------

interface Rendered {
  md: string;
  own: OwnUrls;
}

const MARKDOWN_BUILDERS: Record<string, (values: string[]) => Rendered> = {
  'validation summary (links)': (values) => {
    const findings = findingsFor(values);
    const fileUrl = (f: Finding) => `${blob(f.file)}${f.line ? `#L${f.line}` : ''}`;
    return { md: validationSummary(validation(findings), { fileUrl }), own: { server: SERVER, links: new Set(findings.map(fileUrl)), images: new Set() } };
  },
  'validation summary (no links)': (values) => ({ md: validationSummary(validation(findingsFor(values))), own: { server: SERVER, links: new Set(), images: new Set() } }),
  'plan (thumbnails)': (values) => {
    const plan = planFor(values);
    const photoUrl = (p: string) => `${blob(p)}?raw=true`;
    return { md: planMarkdown(plan, { photoUrl, openRows: 3 }), own: { server: SERVER, links: new Set(), images: new Set(plan.uploads.map((u) => photoUrl(u.photo))) } };
  },
  'plan (capped, prune, hostile revisions)': (values) => ({
    md: planMarkdown(planFor(values, { prune: true, base: values[0]!, head: values[values.length - 1]! }), { maxRows: 1 }),
    own: { server: SERVER, links: new Set(), images: new Set() },
  }),
  apply: (values) => ({ md: applyMarkdown(applyFor(values), 2), own: { server: SERVER, links: new Set(), images: new Set() } }),
  'drift (links, fix)': (values) => {
    const result = driftFor(values);
    const photoUrl = (p: string) => `${blob(p)}?raw=true`;
    const lineUrl = (file: string, line: number) => `${blob(file)}#L${line}`;
    const md = driftMarkdown(result, applyFor(values), { photoUrl, lineUrl, openRows: 2 });
    return {
      md,
      own: { server: SERVER, links: new Set(result.users.map((u) => lineUrl(u.declaredAt.file, u.declaredAt.line))), images: new Set(result.users.map((u) => photoUrl(u.photo))) },
    };
  },
  'drift (no links)': (values) => ({ md: driftMarkdown(driftFor(values)), own: { server: SERVER, links: new Set(), images: new Set() } }),
};

describe('Markdown reports keep hostile data inert', () => {
  for (const [name, build] of Object.entries(MARKDOWN_BUILDERS)) {
    describe(name, () => {
      it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))('%s', (_, value) => {
        const { md, own } = build([value!]);
        const tree = expectInertMarkdown(md, own);
        expectVisible(tree, [value!]);
      });

      it('all at once, with the links we built and nothing else', () => {
        const { md, own } = build(HOSTILE);
        const tree = expectInertMarkdown(md, own);
        // Our own links are there (when given): data did not remove them either.
        const links: string[] = [];
        const images: string[] = [];
        const walk = (n: ReturnType<typeof parseGfm>) => {
          if (n.type === 'link') links.push(n.url!);
          if (n.type === 'html' && n.value!.startsWith('<img')) images.push(n.value!);
          n.children?.forEach(walk);
        };
        walk(tree);
        expect(new Set(links)).toEqual(own.links);
        expect(images.length > 0).toBe(own.images.size > 0);
      });
    });
  }

  it('plan: the overflow row of a capped table has the header column count', () => {
    const md = planMarkdown(planFor(HOSTILE), { maxRows: 2 });
    const tree = expectInertMarkdown(md, { server: SERVER, links: new Set(), images: new Set() });
    expect(visibleText(tree)).toContain(`… and ${HOSTILE.length - 2} more`);
  });
});

describe('mdText', () => {
  it('leaves no ASCII punctuation Markdown or GFM could use', () => {
    const all = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    const out = mdText(all).replace(/&#\d+;/g, '').replace(/[@\u200b]/g, '');
    expect(out).toMatch(/^[A-Za-z0-9 /,]+$/);
  });

  it('renders as the value, with a zero-width space after @ and between # and a digit', () => {
    const tree = parseGfm(`x ${mdText('ada@contoso.edu #12 a|b <b> `c` \\ &amp;')}`);
    const text = (tree.children![0]!.children![0]!.value ?? '');
    expect(text).toBe(`x ada@${ZWSP}contoso.edu #${ZWSP}12 a|b <b> \`c\` \\ &amp;`);
  });

  it('makes line breaks, controls and bidi overrides visible', () => {
    expect(mdText('a\nb\u202e')).toBe('a&#92;nb&#92;u&#123;202e&#125;');
  });

  it('keeps ordinary names readable', () => {
    expect(mdText('Zoë Ångström 10023 photos/staff/x')).toBe('Zoë Ångström 10023 photos/staff/x');
  });
});

describe('our URLs', () => {
  it('encode every path segment, ( ) \' ! * included', () => {
    expect(encodePathSegment("a (1)'!*.jpg")).toBe('a%20%281%29%27%21%2A.jpg');
    const url = githubBlobUrl('https://github.com/', 'o/r', SHA, `photos/) ![b](https://evil.example/x.png/"<x>|.jpg`);
    expect(url).toBe(`https://github.com/o/r/blob/${SHA}/photos/%29%20%21%5Bb%5D%28https%3A//evil.example/x.png/%22%3Cx%3E%7C.jpg`);
    expect(githubBlobUrl(SERVER, REPO, SHA, '../../../evil/repo/raw/main/./x.png')).toBe(`${SERVER}/${REPO}/blob/${SHA}/%252E%252E/%252E%252E/%252E%252E/evil/repo/raw/main/%252E/x.png`);
    expect(safeUrl(url)).toBe(url);
  });

  it('links only to http(s) and re-encodes what could end a destination or an attribute', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('https://x.test/a b)"<\'>|&`\\')).toBe('https://x.test/a%20b%29%22%3C%27%3E%7C%26%60%5C');
    expect(mdLink('t', 'data:text/html,x')).toBe('t');
    expect(mdLink('[t]', 'https://x.test/(a)')).toBe('[&#91;t&#93;](https://x.test/%28a%29)');
  });

  it('a revision is a code span only when it is a commit id', () => {
    expect(mdRevision('0123abcd')).toBe('`0123abcd`');
    expect(mdRevision('`x`')).toBe('&#96;x&#96;');
  });
});

// --- the text builders: data stays on its line -------------------------------------------------

const TEXT_BUILDERS: Record<string, (values: string[]) => string> = {
  validationText: (values) => validationText(validation(findingsFor(values))),
  planText: (values) => planText(planFor(values)),
  applyText: (values) => applyText(applyFor(values)),
  driftText: (values) => driftText(driftFor(values), applyFor(values)),
  exportText: (values) => exportText(exportFor(values)),
  importText: (values) => importText(importFor(values)),
};

describe('text reports keep data on its line', () => {
  for (const [name, build] of Object.entries(TEXT_BUILDERS)) {
    it(`${name}: as many lines as for a plain value, none broken or hidden`, () => {
      const plain = build(HOSTILE.map((_, i) => `plain${i}`)).split('\n');
      const text = build(HOSTILE);
      const lines = text.split('\n');
      expect(lines.length).toBe(plain.length);
      expect(text).not.toMatch(/[\r\u2028\u2029\u202e\u200b]/);
      for (const v of HOSTILE) expect(text).toContain(printable(v));
    });
  }
});
