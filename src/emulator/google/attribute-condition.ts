// A workload identity provider's attribute condition, in the small subset of CEL the setup
// guides use: `assertion.CLAIM == 'value'` clauses joined by `&&` (e.g. pinning the repository
// and the environment). Real providers accept full CEL; anything outside this subset is refused
// when the emulator is configured, so a test never believes a condition was checked when it was not.

export interface AttributeCondition {
  source: string;
  clauses: Array<{ claim: string; value: string }>;
}

const CLAUSE = /^assertion\.([A-Za-z_][A-Za-z0-9_]*)\s*==\s*(?:'([^']*)'|"([^"]*)")$/;

export class AttributeConditionError extends Error {
  override readonly name = 'AttributeConditionError';
}

export function parseAttributeCondition(source: string): AttributeCondition {
  const clauses = source.split('&&').map((part) => {
    const match = CLAUSE.exec(part.trim());
    if (!match) {
      throw new AttributeConditionError(`The emulator understands attribute conditions made of assertion.CLAIM == 'value' clauses joined by &&; not: ${part.trim()}`);
    }
    return { claim: match[1] ?? '', value: match[2] ?? match[3] ?? '' };
  });
  return { source, clauses };
}

/** True when every clause holds for the token's claims. */
export function conditionHolds(condition: AttributeCondition, claims: Record<string, unknown>): boolean {
  return condition.clauses.every(({ claim, value }) => claims[claim] === value);
}
