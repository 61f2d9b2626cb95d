/**
 * The target's photo spec in the normalisation key: Entra's spec (the baseline) leaves every key,
 * and so every fingerprint and record, exactly as before the port; another spec changes the key,
 * so the plan sends the photos again.
 */
import { describe, expect, it } from 'vitest';
import { photoFingerprint, type DesiredState } from '../../../src/desired/desired.js';
import { parseUserKey } from '../../../src/manifest/userKey.js';
import { BASELINE_OUTPUT_SPEC, normalisationKey, type OutputSpec } from '../../../src/photo/index.js';
import { diffDesired } from '../../../src/plan/plan.js';
import { ENTRA_PHOTO_SPEC } from '../../../src/target/index.js';
import { GOOGLE_PHOTO_SPEC } from '../../../src/target/google/googleTarget.js';

const centre = { enabled: true, crop: 'centre' } as const;
const attention = { enabled: true, crop: 'attention' } as const;
const asIs = { enabled: false, crop: 'centre' } as const;
const BLOB = '3b18e512dba79e4c8300dd08aeb37f8e728b8dad';

describe('normalisationKey with the target spec', () => {
  it("Entra's spec keeps today's keys and fingerprints byte for byte", () => {
    // The literal strings are what records written before the port hold.
    expect(normalisationKey(centre)).toBe('n1/648/centre');
    expect(normalisationKey(centre, ENTRA_PHOTO_SPEC)).toBe('n1/648/centre');
    expect(normalisationKey(attention, ENTRA_PHOTO_SPEC)).toBe('n1/648/attention');
    expect(normalisationKey(asIs, ENTRA_PHOTO_SPEC)).toBe('as-is');
    expect(photoFingerprint(BLOB, centre, ENTRA_PHOTO_SPEC)).toBe(`${BLOB}:n1/648/centre`);
    expect(photoFingerprint(BLOB, centre)).toBe(`${BLOB}:n1/648/centre`);
    expect(ENTRA_PHOTO_SPEC).toBe(BASELINE_OUTPUT_SPEC);
    // A spec equal in value (not the same object) is the baseline too: Google's today.
    expect(normalisationKey(centre, GOOGLE_PHOTO_SPEC)).toBe('n1/648/centre');
  });

  it('a different spec changes the key, each field on its own', () => {
    const variants: OutputSpec[] = [
      { ...BASELINE_OUTPUT_SPEC, side: 512 },
      { ...BASELINE_OUTPUT_SPEC, minSide: 120 },
      { ...BASELINE_OUTPUT_SPEC, maxBytes: 2 * 1024 * 1024 },
      { ...BASELINE_OUTPUT_SPEC, formats: ['image/png'] },
      { ...BASELINE_OUTPUT_SPEC, formats: ['image/jpeg', 'image/png'] },
    ];
    const keys = variants.map((spec) => normalisationKey(centre, spec));
    for (const key of keys) expect(key).not.toBe('n1/648/centre');
    expect(new Set(keys).size).toBe(variants.length);
    expect(keys[0]).toBe('n1/648/centre/spec:512-96-4194304-image/jpeg');
    expect(normalisationKey(asIs, variants[0])).toBe('as-is/spec:512-96-4194304-image/jpeg');
    // Stable: the same spec gives the same key.
    expect(normalisationKey(centre, { ...variants[0]! })).toBe(keys[0]);
  });

  it("a target whose spec changed plans every photo again; Entra's baseline plans nothing", () => {
    const parsed = parseUserKey('ada@contoso.edu');
    if (!parsed.ok) throw new Error(parsed.message);
    const state = (spec: OutputSpec | undefined): DesiredState => ({
      label: 'rev',
      users: new Map([[parsed.key.canonical, { key: parsed.key, photoPath: 'ada.jpg', blobId: BLOB, settings: centre, fingerprint: photoFingerprint(BLOB, centre, spec), declaredAt: { file: 'manifests/staff.yaml', line: 4, col: 5 } }]]),
    });
    expect(diffDesired(state(undefined), state(ENTRA_PHOTO_SPEC)).uploads).toHaveLength(0);
    const changed = diffDesired(state(ENTRA_PHOTO_SPEC), state({ ...ENTRA_PHOTO_SPEC, side: 720 }));
    expect(changed.uploads.map((u) => u.key.value)).toEqual(['ada@contoso.edu']);
  });
});
