/**
 * Issue 13, part 4: the CLI tells its users CLI flags, the action its users inputs. Messages built
 * in the core take the words of the edge that runs them.
 */
import { describe, expect, it } from 'vitest';
import type { ApplyResult } from '../../../src/apply/apply.js';
import { planPolicyStep, type TenantPolicy } from '../../../src/apply/policyGuard.js';
import { ACTION_VOCABULARY, CLI_VOCABULARY } from '../../../src/core/vocabulary.js';
import type { DriftResult } from '../../../src/drift/drift.js';
import { parseUserKey } from '../../../src/manifest/userKey.js';
import { applyFailure } from '../../../src/report/apply.js';
import { driftText } from '../../../src/report/drift.js';
import type { ValidationResult } from '../../../src/validate/validate.js';

const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const open: TenantPolicy = { source: 'cloud', allowedRoles: [] };
const restricted: TenantPolicy = { source: 'cloud', allowedRoles: [USER_ADMIN] };
const validation: ValidationResult = { findings: [], manifestFiles: [], users: [], decoded: [], stats: { manifests: 1, users: 0, photos: 0, photosDecoded: 0 } };

const reason = (words = CLI_VOCABULARY) => {
  const step = planPolicyStep(open, restricted, [], false, undefined, words);
  if (step.kind !== 'refuse') throw new Error(step.kind);
  return step.reason;
};

describe('edge vocabulary', () => {
  it('the lock-out refusal names the CLI flag to the CLI and the input to the action', () => {
    expect(reason(CLI_VOCABULARY)).toContain('run with --allow-policy-lockout');
    expect(reason(CLI_VOCABULARY)).not.toContain('allow-policy-lockout: true');
    expect(reason(ACTION_VOCABULARY)).toContain('allow-policy-lockout: true');
    expect(reason(ACTION_VOCABULARY)).not.toContain('--allow-policy-lockout');
  });

  it('drift tells how to fix in the edge\'s words', () => {
    const key = parseUserKey('ada@contoso.edu');
    if (!key.ok) throw new Error(key.message);
    const drift: DriftResult = {
      head: 'c0ffee',
      validation,
      threshold: 0.975,
      users: [{ key: key.key, photo: 'photos/ada.jpg', declaredAt: { file: 'manifests/a.yaml', line: 3, col: 1 }, status: 'missing' }],
      policy: { status: 'not-managed' },
      cancelled: false,
      durationMs: 1,
    };
    expect(driftText(drift, undefined, CLI_VOCABULARY)).toContain('run entra-photos drift --fix');
    expect(driftText(drift, undefined, CLI_VOCABULARY)).not.toContain('fix: true');
    expect(driftText(drift, undefined, ACTION_VOCABULARY)).toContain('fix: true');
    expect(driftText(drift, undefined, ACTION_VOCABULARY)).not.toContain('--fix');
  });

  it('a refused policy change: the failure message (the ::error annotation) carries the reason', () => {
    const result = {
      environment: 'production',
      base: 'a'.repeat(40),
      head: 'b'.repeat(40),
      validation,
      alreadyLanded: 0,
      outcomes: [],
      policy: { status: 'refused', from: open, to: restricted, message: reason(ACTION_VOCABULARY) },
      record: 'not-complete',
      cancelled: false,
      durationMs: 10,
    } as unknown as ApplyResult;
    const message = applyFailure(result);
    expect(message.split('\n')[0]).toContain('The policy change was not applied');
    expect(message).toContain('allow-policy-lockout: true');
    expect(message.split('\n').at(-1)).toMatch(/^Apply failed to production: .*the photo policy change was refused/);
  });
});
