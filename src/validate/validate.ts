import type { Finding } from '../core/findings.js';
import { printable } from '../core/untrusted.js';
import { mapLimit } from '../core/pool.js';
import { Progress, type ProgressSettings } from '../core/progress.js';
import { parseManifest, type ParsedManifest } from '../manifest/parse.js';
import { DEFAULT_TARGETS, MANIFEST_DIR, type Crop, type ManifestPolicy, type ManifestTargets, type SourceRef, type TargetName } from '../manifest/types.js';
import { describeKey, type UserKey } from '../manifest/userKey.js';
import { checkPhoto, recommendedParallelism, type PhotoOutput, type PhotoReport } from '../photo/index.js';
import type { Snapshot, TreeEntry } from '../repo/snapshot.js';
import { explainMissing, LookalikeIndex, resolvePhotoPath } from './photoPath.js';

export interface ValidateOptions {
  /**
   * Whether a photo's pixels must be decoded and normalised. Path, symlink and LFS checks run for
   * every photo regardless; decoding is the expensive part, so plans decode only changed blobs.
   */
  shouldDecode?: (user: DeclaredUser) => boolean | Promise<boolean>;
  parallelism?: number;
  /** Progress lines while photos are normalised (a long `--all`): where they go, and how often. */
  progress?: ProgressSettings & { log: (line: string) => void };
}

/** A manifest entry whose key and photo path are valid: the raw material of desired state. */
export interface DeclaredUser {
  /** A user's key, or a group's (kind `group`, from a manifest's `groups:`). */
  key: UserKey;
  /** The manifest's `name:` (display only). */
  name?: string;
  /** Resolved repository-relative path of the photo file. */
  photoPath: string;
  crop: Crop;
  normalise: boolean;
  keyAt: SourceRef;
  photoAt: SourceRef;
  /** The manifest's `google:`: the user's Google account where it differs from the key. */
  google?: UserKey;
  googleAt?: SourceRef;
}

export interface DecodedPhoto {
  path: string;
  crop: Crop;
  normalise: boolean;
  /**
   * What the check found and what the upload would be (size, dimensions, hash), without the
   * upload's bytes: holding them for every photo took ~95 KB per photo (475 MB for 5,000).
   */
  report: Omit<PhotoReport, 'output'> & { output?: Omit<PhotoOutput, 'jpeg'> };
}

export interface ValidationResult {
  findings: Finding[];
  manifestFiles: string[];
  /** Every declared subject: users, then groups (key kind `group`) in manifest order. */
  users: DeclaredUser[];
  policy?: ManifestPolicy;
  /** The manifests' `targets:` (merged; absent when no manifest declares it: Entra only). */
  targets?: ManifestTargets;
  decoded: DecodedPhoto[];
  stats: { manifests: number; users: number; groups?: number; photos: number; photosDecoded: number };
}

const MANIFEST_FILE = /\.ya?ml$/i;
/** Files under photoRoot that are documentation, not photos, and never orphans. */
const NOT_A_PHOTO = /(^|\/)(\.[^/]*|readme(\.[a-z]+)?|[^/]*\.(md|txt))$/i;

/**
 * Validates a repository snapshot: manifests (syntax, schema, cross-file rules), photo paths, and
 * the photos themselves through the same normalisation apply will use, so what passes review is
 * what will be sent.
 */
export async function validateRepository(snapshot: Snapshot, options: ValidateOptions = {}): Promise<ValidationResult> {
  const findings: Finding[] = [];
  const list = listingCache(snapshot);
  const entries = await snapshot.list(MANIFEST_DIR);
  const manifestEntries = entries.filter((e) => MANIFEST_FILE.test(e.path));
  if (manifestEntries.length === 0) {
    findings.push({ severity: 'error', code: 'no-manifests', file: MANIFEST_DIR, message: `No manifests found. Add at least one ${MANIFEST_DIR}/*.yaml file declaring "version: 1" and your users.` });
  }

  const manifests = [];
  for (const entry of manifestEntries) {
    if (entry.kind !== 'file') {
      findings.push({ severity: 'error', code: 'manifest-not-regular-file', file: entry.path, line: 1, col: 1, message: `${printable(entry.path)} is a ${entry.kind}, not a regular file. Manifests must be real files in ${MANIFEST_DIR}/.` });
      continue;
    }
    const parsed = await parseManifestCached(snapshot, entry.path);
    findings.push(...parsed.findings);
    if (parsed.manifest) manifests.push(parsed.manifest);
  }

  // Cross-file rules: one declaration per user, at most one policy.
  const firstDeclaration = new Map<string, SourceRef>();
  let policy: ManifestPolicy | undefined;
  let targets: ManifestTargets | undefined;
  const candidates: { manifest: (typeof manifests)[number]; user: (typeof manifests)[number]['users'][number] }[] = [];
  for (const manifest of manifests) {
    // Groups (`groups:`) are subjects like users: same path and image rules, one declaration each.
    for (const user of [...manifest.users, ...manifest.groups]) {
      const previous = firstDeclaration.get(user.key.canonical);
      if (previous) {
        const group = user.key.kind === 'group';
        findings.push({
          ...at(user.keyAt),
          severity: 'error',
          code: group ? 'duplicate-group' : 'duplicate-user',
          message: `${printable(describeKey(user.key))} is already declared at ${printable(previous.file)}:${previous.line}. A ${group ? 'group' : 'user'} has one photo: remove one of the two entries.`,
        });
        continue;
      }
      firstDeclaration.set(user.key.canonical, user.keyAt);
      candidates.push({ manifest, user });
    }
    if (manifest.targets) {
      if (!targets) targets = manifest.targets;
      else if (!sameTargets(targets.names, manifest.targets.names)) {
        findings.push({
          ...at(manifest.targets.at),
          severity: 'error',
          code: 'conflicting-targets',
          message: `targets: [${manifest.targets.names.join(', ')}] differs from targets: [${targets.names.join(', ')}] at ${printable(targets.at.file)}:${targets.at.line}. The repository manages one set of directories: write the same list in both, or keep targets: in one manifest only.`,
        });
      }
    }
    if (manifest.policy) {
      if (policy) {
        findings.push({ ...at(manifest.policy.at), severity: 'error', code: 'multiple-policies', message: `A policy is already declared at ${printable(policy.at.file)}:${policy.at.line}. The tenant has one photo policy: keep a single "policy:" across all manifests.` });
      } else {
        policy = manifest.policy;
      }
    }
  }
  if (policy?.source === 'onPremises' && candidates.length > 0) {
    findings.push({ ...at(policy.at), severity: 'warning', code: 'policy-blocks-cloud-writes', message: 'With "source: onPremises", cloud photo writes are disabled for everyone, including this tool: the photos declared here cannot be applied. Use "source: cloud" to manage photos from this repository.' });
  }

  checkGoogleKeys(candidates.map((c) => c.user), targets, findings);

  // Photo paths. Several users may share a photo file; resolve each (root, path) once.
  const resolutions = new Map<string, Awaited<ReturnType<typeof resolvePhotoPath>>>();
  const users: DeclaredUser[] = [];
  const referenced = new Set<string>();
  /** Files a photo-missing error already names as the likely intended photo. */
  const suggested = new Set<string>();
  const lookalikes = lookalikeCache(list);
  for (const { manifest, user } of candidates) {
    const cacheKey = `${manifest.photoRoot}\0${user.photo}`;
    let result = resolutions.get(cacheKey);
    if (!result) {
      result = await resolvePhotoPath(snapshot, manifest.photoRoot, user.photo);
      resolutions.set(cacheKey, result);
    }
    referenced.add(joinPath(manifest.photoRoot, user.photo));
    if (!result.ok) {
      let message = result.message;
      if (result.code === 'photo-missing') {
        const match = (await lookalikes(manifest.photoRoot)).find(joinPath(manifest.photoRoot, user.photo));
        if (match) {
          message = explainMissing(message, manifest.photoRoot, user.photo, match);
          suggested.add(match.path);
        }
      }
      findings.push({ ...at(user.photoAt), severity: 'error', code: result.code, message });
      continue;
    }
    referenced.add(result.path);
    users.push({
      key: user.key,
      ...(user.name ? { name: user.name } : {}),
      photoPath: result.path,
      crop: user.crop,
      normalise: user.normalise,
      keyAt: user.keyAt,
      photoAt: user.photoAt,
      ...(user.google ? { google: user.google, ...(user.googleAt ? { googleAt: user.googleAt } : {}) } : {}),
    });
  }

  // Orphans: photos nobody references are usually a forgotten manifest line. A file that a
  // photo-missing error already names ("exists with a different Unicode form", "did you mean")
  // is not also called unused: that would be two findings, seemingly contradicting each other,
  // about one mistake, and the error says what to do.
  const photoRoots = [...new Set(manifests.map((m) => m.photoRoot))];
  let photoCount = 0;
  for (const root of photoRoots) {
    for (const entry of await list(root)) {
      if (NOT_A_PHOTO.test(entry.path)) continue;
      photoCount++;
      if (!referenced.has(entry.path) && !suggested.has(entry.path)) {
        findings.push({ severity: 'warning', code: 'orphan-photo', file: entry.path, message: `${printable(entry.path)} is not used by any manifest. Add a users (or groups) entry for it, or delete it.` });
      }
    }
  }

  // Decode each distinct (photo, settings) once, with bounded parallelism.
  const jobs = new Map<string, { path: string; crop: Crop; normalise: boolean; usedBy: DeclaredUser[] }>();
  for (const user of users) {
    if (options.shouldDecode && !(await options.shouldDecode(user))) continue;
    const jobKey = `${user.photoPath}\0${user.crop}\0${user.normalise}`;
    const job = jobs.get(jobKey) ?? { path: user.photoPath, crop: user.crop, normalise: user.normalise, usedBy: [] };
    job.usedBy.push(user);
    jobs.set(jobKey, job);
  }
  const progress = options.progress && jobs.size > 0 ? new Progress({ verb: 'Normalising', total: jobs.size, log: options.progress.log, settings: options.progress }) : undefined;
  const decoded = await mapLimit([...jobs.values()], options.parallelism ?? recommendedParallelism(), async (job) => {
    const report = await checkPhoto(await snapshot.read(job.path), { enabled: job.normalise, crop: job.crop }).finally(() => progress?.advance());
    const usedBy = job.usedBy.map((u) => `${printable(u.photoAt.file)}:${u.photoAt.line}`).join(', ');
    for (const issue of report.issues) {
      findings.push({ severity: issue.severity, code: issue.code, file: job.path, message: `${printable(issue.message)} (used at ${usedBy})` });
    }
    const { output, ...rest } = report;
    const summary: DecodedPhoto['report'] = output ? { ...rest, output: { width: output.width, height: output.height, bytes: output.bytes, sha256: output.sha256 } } : rest;
    return { path: job.path, crop: job.crop, normalise: job.normalise, report: summary };
  }).finally(() => progress?.finish());

  return {
    findings,
    manifestFiles: manifestEntries.map((e) => e.path),
    users,
    ...(policy ? { policy } : {}),
    ...(targets ? { targets } : {}),
    decoded,
    stats: { manifests: manifestEntries.length, users: users.filter((u) => u.key.kind !== 'group').length, groups: users.filter((u) => u.key.kind === 'group').length, photos: photoCount, photosDecoded: decoded.length },
  };
}

/** The targets a validation declares: its `targets:`, else Entra alone. */
export function targetsOf(validation: Pick<ValidationResult, 'targets'>): readonly TargetName[] {
  return validation.targets?.names ?? DEFAULT_TARGETS;
}

/** Entra alone (no `targets:`, or `targets: [entra]`): every mode then runs exactly as before targets existed. */
export function entraAlone(targets: readonly TargetName[]): boolean {
  return targets.length === 1 && targets[0] === 'entra';
}

function sameTargets(a: readonly TargetName[], b: readonly TargetName[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/** A user entry as far as its Google key goes. */
interface GoogleKeyed {
  key: UserKey;
  keyAt: SourceRef;
  google?: UserKey;
  googleAt?: SourceRef;
}

/**
 * The `google:` rules, at the line: with google among the targets, an object-id key needs a
 * `google:` (Google does not know Entra's ids) and two entries may not name one Google account;
 * without it, a `google:` is unused (warning). Groups never go to Google: not checked here.
 */
function checkGoogleKeys(entries: readonly GoogleKeyed[], targets: ManifestTargets | undefined, findings: Finding[]): void {
  const users = entries.filter((e) => e.key.kind !== 'group');
  if (!targets?.names.includes('google')) {
    for (const user of users) {
      if (!user.google || !user.googleAt) continue;
      findings.push({ ...at(user.googleAt), severity: 'warning', code: 'google-key-unused', message: `google: is used only when the manifests declare targets: [entra, google]; no manifest does, so this value is ignored. Add targets: to a manifest, or remove google:.` });
    }
    return;
  }
  const first = new Map<string, SourceRef>();
  for (const user of users) {
    if (user.key.kind === 'objectId' && !user.google) {
      findings.push({ ...at(user.keyAt), severity: 'error', code: 'google-key-missing', message: `${printable(describeKey(user.key))} is an Entra object id, which Google Workspace does not know, and targets include google. Add google: with the user's Google email (or Google user id) to this entry.` });
      continue;
    }
    const googleKey = user.google ?? user.key;
    const where = user.googleAt ?? user.keyAt;
    const canonical = googleKey.canonical.toLowerCase();
    const previous = first.get(canonical);
    if (previous) {
      findings.push({ ...at(where), severity: 'error', code: 'duplicate-google-user', message: `${printable(describeKey(googleKey))} is already the Google account of the entry at ${printable(previous.file)}:${previous.line}. A Google user has one photo: give one of the two entries its own google: key, or remove it.` });
      continue;
    }
    first.set(canonical, where);
  }
}

/**
 * Parsing is a pure function of (path, content), and a plan parses the base and the head: when a
 * manifest did not change between them (the common case: photos changed), parse it once.
 */
const parsedManifests = new Map<string, ParsedManifest>();
const PARSE_CACHE_SIZE = 64;

async function parseManifestCached(snapshot: Snapshot, file: string): Promise<ParsedManifest> {
  const key = `${file}\0${await snapshot.blobId(file)}`;
  let parsed = parsedManifests.get(key);
  if (!parsed) {
    parsed = parseManifest(file, (await snapshot.read(file)).toString('utf8'));
    if (parsedManifests.size >= PARSE_CACHE_SIZE) parsedManifests.delete(parsedManifests.keys().next().value!);
    parsedManifests.set(key, parsed);
  }
  return parsed;
}

function at(ref: SourceRef): Pick<Finding, 'file' | 'line' | 'col'> {
  return { file: ref.file, line: ref.line, col: ref.col };
}

function joinPath(root: string, rel: string): string {
  return `${root}/${rel}`.split('/').filter((p) => p && p !== '.').join('/');
}

/** Lists each photoRoot once per validation: orphan checks and suggestions share it. */
function listingCache(snapshot: Snapshot): (dir: string) => Promise<TreeEntry[]> {
  const listings = new Map<string, Promise<TreeEntry[]>>();
  return (dir) => {
    let listing = listings.get(dir);
    if (!listing) listings.set(dir, (listing = snapshot.list(dir)));
    return listing;
  };
}

/** "Did you mean" for a missing photo: one index of each photoRoot's file names, built on first need. */
function lookalikeCache(list: (dir: string) => Promise<TreeEntry[]>): (photoRoot: string) => Promise<LookalikeIndex> {
  const indexes = new Map<string, Promise<LookalikeIndex>>();
  return (photoRoot) => {
    let index = indexes.get(photoRoot);
    if (!index) indexes.set(photoRoot, (index = list(photoRoot).then((files) => new LookalikeIndex(files.map((f) => f.path)))));
    return index;
  };
}
