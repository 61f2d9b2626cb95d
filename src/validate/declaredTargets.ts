/** Which targets a revision's manifests declare (`targets:`), for the edges that pick targets. */
import { printable } from '../core/untrusted.js';
import type { TargetName } from '../manifest/types.js';
import { RevisionSnapshot } from '../repo/revision.js';
import { targetsOf, validateRepository } from './validate.js';

export interface DeclaredTargets {
  names: TargetName[];
  /** file:line of the `targets:` declaration; undefined when no manifest declares it (Entra alone). */
  at?: string;
}

/** The targets `rev` declares (Entra alone without `targets:`); photos are not decoded. */
export async function declaredTargets(repo: string, rev = 'HEAD'): Promise<DeclaredTargets> {
  const snapshot = await RevisionSnapshot.open(repo, rev);
  try {
    const validation = await validateRepository(snapshot, { shouldDecode: () => false });
    const at = validation.targets ? `${printable(validation.targets.at.file)}:${validation.targets.at.line}` : undefined;
    return { names: [...targetsOf(validation)], ...(at ? { at } : {}) };
  } finally {
    snapshot.close();
  }
}
