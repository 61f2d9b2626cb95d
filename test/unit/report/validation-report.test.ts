import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/findings.js';
import { validationJson, validationSummary, validationText } from '../../../src/report/validation.js';
import type { ValidationResult } from '../../../src/validate/validate.js';

const result = (findings: Finding[]): ValidationResult => ({
  findings,
  manifestFiles: ['manifests/a.yaml'],
  users: [],
  decoded: [],
  stats: { manifests: 1, users: 3, photos: 3, photosDecoded: 3 },
});

const findings: Finding[] = [
  { severity: 'warning', code: 'orphan-photo', file: 'photos/x.jpg', message: 'photos/x.jpg is not used | by any manifest.' },
  { severity: 'error', code: 'photo-missing', file: 'manifests/a.yaml', line: 12, col: 12, message: 'The photo "a.jpg" does not exist.' },
];

describe('validation report builders', () => {
  it('text: compiler-style lines sorted by file, then a headline', () => {
    expect(validationText(result(findings))).toBe(
      'manifests/a.yaml:12:12: error: The photo "a.jpg" does not exist. [photo-missing]\n' +
        'photos/x.jpg: warning: photos/x.jpg is not used | by any manifest. [orphan-photo]\n' +
        'Validation failed: 1 error, 1 warning (1 manifest, 3 users, 3 photos checked).\n',
    );
  });

  it('json: counts and sorted findings', () => {
    const json = validationJson(result(findings));
    expect(json).toMatchObject({ ok: false, errors: 1, warnings: 1 });
    expect(json.findings.map((f) => f.code)).toEqual(['photo-missing', 'orphan-photo']);
  });

  it('summary: a table with links, data as character references (pipes included)', () => {
    const md = validationSummary(result(findings), { fileUrl: (f) => `https://example.test/${f.file}#L${f.line ?? ''}` });
    expect(md).toContain('## ❌ entra-photos: Validation failed');
    expect(md).toContain('| ❌ error | [manifests/a&#46;yaml&#58;12&#58;12](https://example.test/manifests/a.yaml#L12) |');
    expect(md).toContain('not used &#124; by any manifest');
  });

  it('summary: a clean result says so', () => {
    expect(validationSummary(result([]))).toContain('✅');
    expect(validationSummary(result([]))).toContain('No problems found.');
  });
});
