/**
 * How a person sets an option depends on where they run the tool: the CLI's users pass flags
 * (`--allow-policy-lockout`), the action's users write inputs (`allow-policy-lockout: true`).
 * Messages built in the core take the words from the edge that runs them (src/cli, src/action);
 * the core hard-codes neither.
 */
export interface Vocabulary {
  /** "run with --allow-policy-lockout" / "set allow-policy-lockout: true". */
  allowPolicyLockout: string;
  /** "run entra-photos drift --fix" / "set fix: true". */
  fixDrift: string;
  /** The option that makes removals delete photos: "--prune" / "prune: true". */
  prune: string;
}

export const CLI_VOCABULARY: Vocabulary = {
  allowPolicyLockout: 'run with --allow-policy-lockout',
  fixDrift: 'run entra-photos drift --fix',
  prune: '--prune',
};

export const ACTION_VOCABULARY: Vocabulary = {
  allowPolicyLockout: 'set the input allow-policy-lockout: true',
  fixDrift: 'set the input fix: true',
  prune: 'prune: true',
};

/** For a core caller that did not say (tests, libraries): both spellings. */
export const NEUTRAL_VOCABULARY: Vocabulary = {
  allowPolicyLockout: 'set allow-policy-lockout: true (CLI: --allow-policy-lockout)',
  fixDrift: 'set fix: true (CLI: entra-photos drift --fix)',
  prune: 'prune: true (CLI: --prune)',
};
