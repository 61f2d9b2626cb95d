/**
 * An in-memory photo target: the port (src/target/port.ts) over a few maps, for unit tests of
 * apply and drift's fix that need neither the TLS emulator nor a rebuilt dist. It keeps what a
 * directory keeps (subjects, their photos, a photo policy) and logs every write; faults are
 * injected per subject and operation.
 *
 * Failures are FakeTargetError (no HTTP status: not a Graph error), classified by the fake's own
 * classifyFailure, which apply's pacer takes: a `throttled` or `transient` fake failure is paced
 * and retried like Graph's 429 and 503.
 */
import type { UserKey } from '../../src/manifest/userKey.js';
import type {
  DeletedSubject,
  DirectorySubject,
  ListSubjectsOptions,
  PhotoPolicyExtension,
  PhotoTarget,
  ResolveSubjectsOptions,
  ResolvedSubject,
  SubjectResolution,
  TargetFailure,
  TargetPolicy,
  TargetPolicyChange,
} from '../../src/target/port.js';

export interface FakeSubject {
  id: string;
  userPrincipalName: string;
  mail?: string;
  employeeId?: string;
  displayName?: string;
  accountEnabled?: boolean;
}

export class FakeTargetError extends Error {
  constructor(
    readonly kind: 'refused-by-policy' | 'forbidden' | 'fatal' | 'transient' | 'throttled',
    message: string,
    /** For `throttled`: the wait the fake asks for (seconds). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'FakeTargetError';
  }
}

export type FakeOperation = 'put' | 'delete' | 'download' | 'resolve' | 'policy-read' | 'policy-change';

export interface FakeWrite {
  op: 'put' | 'delete' | 'policy-change';
  id: string;
}

export class FakeTarget implements PhotoTarget {
  readonly id = 'fake';
  readonly spec = { side: 648, minSide: 96, maxBytes: 4 * 1024 * 1024, formats: ['image/jpeg'] } as const;
  signIn: 'app' | 'delegated' = 'app';
  readonly subjects = new Map<string, FakeSubject>();
  readonly photos = new Map<string, Buffer>();
  readonly deleted = new Map<string, DeletedSubject>();
  /** Every write, in the order it reached the target (photo puts and deletes, policy changes). */
  readonly writes: FakeWrite[] = [];
  /** Calls per operation (lookups count keys, not batches). */
  readonly calls: Record<FakeOperation, number> = { put: 0, delete: 0, download: 0, resolve: 0, 'policy-read': 0, 'policy-change': 0 };
  /** Faults: which subject (id, or '*') fails which operation, and how. */
  readonly faults: { id: string; op: FakeOperation; kind: FakeTargetError['kind']; times?: number; retryAfterSeconds?: number }[] = [];
  /** Called before each put lands (tests use it to cancel a run mid-way). */
  beforePut?: (id: string) => void | Promise<void>;
  livePolicy: TargetPolicy | undefined;
  /** The role template ids the caller holds (the lockout guard reads them). */
  roles: string[] = [];
  readonly policy: PhotoPolicyExtension | undefined;

  constructor(options: { subjects?: FakeSubject[]; policy?: TargetPolicy } = {}) {
    for (const subject of options.subjects ?? []) this.subjects.set(subject.id, subject);
    this.livePolicy = options.policy;
    this.policy = options.policy ? this.#policyExtension() : undefined;
  }

  /** `times`: the fault fires this many times, then the operation works (default: every time). */
  fail(id: string, op: FakeOperation, kind: FakeTargetError['kind'] = 'fatal', options: { times?: number; retryAfterSeconds?: number } = {}): void {
    this.faults.push({ id, op, kind, ...options });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  #check(id: string, op: FakeOperation): void {
    const fault = this.faults.find((f) => f.op === op && (f.id === id || f.id === '*') && (f.times === undefined || f.times > 0));
    if (!fault) return;
    if (fault.times !== undefined) fault.times--;
    throw new FakeTargetError(fault.kind, `fake ${op} of ${id} failed (${fault.kind})`, fault.retryAfterSeconds);
  }

  /** Photo writes the policy allows: like Entra, `allowedRoles` set and none held refuses every write. */
  #checkPolicyAllowsWrites(): void {
    const policy = this.livePolicy;
    if (!policy) return;
    if (policy.source === 'onPremises' || (policy.allowedRoles.length > 0 && !policy.allowedRoles.some((r) => this.roles.includes(r)))) {
      throw new FakeTargetError('refused-by-policy', 'fake: the photo update policy refuses this caller');
    }
  }

  async resolveSubjects(keys: readonly UserKey[], options: ResolveSubjectsOptions = {}): Promise<Map<string, SubjectResolution>> {
    const answers = new Map<string, SubjectResolution>();
    for (const key of keys) {
      this.calls.resolve++;
      answers.set(key.canonical, this.#resolve(key));
    }
    await Promise.resolve();
    options.onResolved?.(answers);
    return answers;
  }

  #resolve(key: UserKey): SubjectResolution {
    const value = key.value.toLowerCase();
    const all = [...this.subjects.values()];
    let matchedBy: ResolvedSubject['matchedBy'];
    let found: FakeSubject[];
    if (key.kind === 'objectId') {
      matchedBy = 'objectId';
      found = all.filter((s) => s.id.toLowerCase() === value);
    } else if (key.kind === 'employeeId') {
      matchedBy = 'employeeId';
      found = all.filter((s) => s.employeeId === key.value);
    } else {
      found = all.filter((s) => s.userPrincipalName.toLowerCase() === value);
      matchedBy = 'upn';
      if (found.length === 0) {
        found = all.filter((s) => s.mail?.toLowerCase() === value);
        matchedBy = 'mail';
      }
    }
    if (found.length > 1) return { notFound: true, problem: 'ambiguous', reason: `${key.value} matches ${found.length} subjects.` };
    const subject = found[0];
    if (!subject) return { notFound: true, problem: 'not-found', reason: `No subject ${key.value} in the fake target.` };
    return {
      id: subject.id,
      userPrincipalName: subject.userPrincipalName,
      matchedBy,
      ...(subject.displayName ? { displayName: subject.displayName } : {}),
      ...(subject.mail ? { mail: subject.mail } : {}),
      ...(subject.employeeId ? { employeeId: subject.employeeId } : {}),
      ...(subject.accountEnabled !== undefined ? { accountEnabled: subject.accountEnabled } : {}),
    };
  }

  async photoPresence(subjectIds: readonly string[]): Promise<Map<string, boolean>> {
    return new Map(subjectIds.map((id) => [id, this.photos.has(id)]));
  }

  async putPhoto(subjectId: string, photo: Buffer): Promise<void> {
    this.calls.put++;
    await this.beforePut?.(subjectId);
    this.#check(subjectId, 'put');
    this.#checkPolicyAllowsWrites();
    if (!this.subjects.has(subjectId)) throw new FakeTargetError('fatal', `fake: no subject ${subjectId}`);
    this.photos.set(subjectId, Buffer.from(photo));
    this.writes.push({ op: 'put', id: subjectId });
  }

  async deletePhoto(subjectId: string): Promise<void> {
    this.calls.delete++;
    this.#check(subjectId, 'delete');
    this.#checkPolicyAllowsWrites();
    this.photos.delete(subjectId);
    this.writes.push({ op: 'delete', id: subjectId });
  }

  async downloadPhoto(subjectId: string): Promise<Buffer | null> {
    this.calls.download++;
    this.#check(subjectId, 'download');
    return this.photos.get(subjectId) ?? null;
  }

  async *listSubjects(_options: ListSubjectsOptions = {}): AsyncIterable<DirectorySubject[]> {
    yield [...this.subjects.values()].map((s) => ({
      id: s.id,
      userPrincipalName: s.userPrincipalName,
      mail: s.mail ?? null,
      employeeId: s.employeeId ?? null,
      displayName: s.displayName ?? null,
      accountEnabled: s.accountEnabled ?? null,
    }));
  }

  async findDeletedSubjects(keys: readonly UserKey[]): Promise<Map<string, DeletedSubject>> {
    const found = new Map<string, DeletedSubject>();
    for (const key of keys) {
      const hit = this.deleted.get(key.value.toLowerCase());
      if (hit) found.set(key.canonical, hit);
    }
    return found;
  }

  classifyFailure(error: unknown): TargetFailure {
    if (!(error instanceof FakeTargetError)) return { kind: 'fatal' };
    switch (error.kind) {
      case 'refused-by-policy':
        return { kind: 'refused-by-policy', requestId: undefined };
      case 'forbidden':
        return { kind: 'forbidden', delegated: this.signIn === 'delegated' };
      case 'transient':
        return { kind: 'transient', retryAfterSeconds: undefined };
      case 'throttled':
        return { kind: 'throttled', retryAfterSeconds: error.retryAfterSeconds };
      default:
        return { kind: 'fatal' };
    }
  }

  #policyExtension(): PhotoPolicyExtension {
    return {
      read: async () => {
        this.calls['policy-read']++;
        this.#check('policy', 'policy-read');
        return { ...this.livePolicy!, allowedRoles: [...this.livePolicy!.allowedRoles] };
      },
      change: async (change: TargetPolicyChange) => {
        this.calls['policy-change']++;
        this.#check('policy', 'policy-change');
        this.livePolicy = {
          source: change.source === 'cloud' || change.source === 'onPremises' ? change.source : this.livePolicy!.source,
          allowedRoles: Array.isArray(change.allowedRoles) ? change.allowedRoles.map((r) => r.toLowerCase()) : this.livePolicy!.allowedRoles,
        };
        this.writes.push({ op: 'policy-change', id: 'policy' });
        return this.livePolicy;
      },
      callerRoles: async () => [...this.roles],
      describeReadFailure: (error, declaredAt) => `fake: the policy (policy: at ${declaredAt}) could not be read: ${(error as Error).message}`,
      whyUnreadable: (error) => (error as Error).message,
    };
  }
}
