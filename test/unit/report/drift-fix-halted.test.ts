import { describe, expect, it } from 'vitest';
import type { ApplyResult } from '../../../src/apply/apply.js';
import { fixLine } from '../../../src/report/drift.js';
import { parseUserKey } from '../../../src/manifest/userKey.js';

function fixStoppedByPolicy(): ApplyResult {
  const key = (v: string) => {
    const parsed = parseUserKey(v);
    if (!parsed.ok) throw new Error(v);
    return parsed.key;
  };
  return {
    environment: 'production',
    base: 'aaaaaaaaaaaa',
    head: 'bbbbbbbbbbbb',
    validation: { findings: [], stats: { manifests: 1, users: 3, photos: 3, photosDecoded: 0 } },
    alreadyLanded: 0,
    outcomes: [
      { key: key('a@contoso.edu'), action: 'upload', status: 'failed', photo: 'photos/a.jpg', reason: '403 ForbiddenByAdminEditPolicy' },
      { key: key('b@contoso.edu'), action: 'upload', status: 'not-attempted', photo: 'photos/b.jpg' },
      { key: key('c@contoso.edu'), action: 'upload', status: 'not-attempted', photo: 'photos/c.jpg' },
    ],
    policy: { status: 'not-managed' },
    appliedRevision: 'aaaaaaaaaaaa',
    record: 'repair',
    cancelled: false,
    durationMs: 10,
    halted: { code: 'photo-policy', message: 'The photo policy allows only User Administrator to change photos.', refused: 1, notAttempted: 2 },
  } as unknown as ApplyResult; // the fix line reads counts, policy and halted only
}

describe('drift --fix stopped by the photo policy', () => {
  it('says why once and counts the users it did not try', () => {
    const text = fixLine(fixStoppedByPolicy());
    expect(text.split('\n')[0]).toContain('2 not attempted');
    expect(text).toContain('Stopped: The photo policy allows only User Administrator');
    expect(text.match(/Stopped:/g)).toHaveLength(1);
  });
});
