/**
 * One person, one photo, decided as lookups land: the groups of entriesBySubject
 * (src/desired/desired.ts), built incrementally, so apply can write a user as soon as it is known
 * that no other entry of the head is the same tenant user, instead of after every lookup.
 *
 * The rules are entriesBySubject's. A run looks up its planned keys (uploads and removals). Each
 * resolved planned key joins the group of its subject (tenant object id). An entry of the head
 * that the run did not plan is found through the subject's own properties (object id, UPN, mail,
 * employeeId: keysResolvingTo) in an index of the head, and confirmed by one more lookup (one that
 * fails counts as a match: the safe side).
 *
 * When is a subject's group final? Its entries come from planned keys that resolve to it and from
 * confirmed unplanned hits. A key resolves to a user only through one of the properties
 * keysResolvingTo lists (the resolver matches a `user:` key by object id, UPN or mail and an
 * `employeeId:` key by employeeId), so every key that can join the group is among the subject's
 * hits in the head index. The group is final ("settled") once every hit that is planned has its
 * own answer and every unplanned hit is confirmed. A planned key is released when its subject is
 * settled (or at once when it did not resolve); only then may apply write it.
 */
import { byDeclaration, isSubject, keyIndex, keysResolvingTo, type DesiredPhoto, type DesiredState, type SubjectEntries } from '../desired/desired.js';
import type { UserKey } from '../manifest/userKey.js';
import type { ResolvedSubject as ResolvedUser, SubjectResolution as UserResolution } from '../target/port.js';

interface SubjectState {
  group: SubjectEntries;
  /** Hits (canonical keys) without an answer yet: planned keys not looked up yet, unplanned ones not confirmed. */
  waiting: Set<string>;
  /** Planned keys resolved to this subject, released together once it is settled. */
  held: string[];
}

export interface TrackerStep {
  /** Planned keys whose fate is now known (their subject settled, or they did not resolve). */
  released: string[];
  /** Unplanned head entries to look up to confirm (then call confirm with the answers). */
  toConfirm: UserKey[];
}

export class SubjectTracker {
  readonly #desired: DesiredState;
  readonly #planned: ReadonlySet<string>;
  readonly #index: Map<string, string[]>;
  /** Answers to planned lookups so far. */
  readonly #resolutions = new Map<string, UserResolution>();
  readonly #subjects = new Map<string, SubjectState>();
  /** Canonical key → subjects (ids) waiting for its answer. */
  readonly #waiters = new Map<string, Set<string>>();
  /** Unplanned key → the subjects it is a hit for, and its entry. */
  readonly #hits = new Map<string, { subject: ResolvedUser; entry: DesiredPhoto }[]>();
  readonly #confirmed = new Map<string, UserResolution | undefined>();

  /** `planned`: the canonical keys the run looks up (its uploads and removals). */
  constructor(desired: DesiredState, planned: Iterable<string>) {
    this.#desired = desired;
    this.#planned = new Set(planned);
    this.#index = keyIndex(desired);
  }

  /** Answers of planned lookups, as they land. */
  resolved(answers: ReadonlyMap<string, UserResolution>): TrackerStep {
    const released: string[] = [];
    const toConfirm: UserKey[] = [];
    const touched = new Set<string>();
    for (const [canonical, resolution] of answers) {
      if (this.#resolutions.has(canonical) || !this.#planned.has(canonical)) continue;
      this.#resolutions.set(canonical, resolution);
      this.#answer(canonical, touched);
      if (!isSubject(resolution)) {
        released.push(canonical);
        continue;
      }
      const state = this.#subject(resolution, toConfirm);
      this.#add(state, this.#desired.users.get(canonical));
      state.held.push(canonical);
      touched.add(resolution.id.toLowerCase());
    }
    this.#release(touched, released);
    return { released, toConfirm };
  }

  /** Answers of confirming lookups (every key asked for; a missing answer counts as no match). */
  confirm(keys: readonly UserKey[], answers: ReadonlyMap<string, UserResolution>): TrackerStep {
    const released: string[] = [];
    const touched = new Set<string>();
    for (const key of keys) {
      const canonical = key.canonical;
      if (this.#confirmed.has(canonical) || !this.#hits.has(canonical)) continue;
      const answer = answers.get(canonical);
      this.#confirmed.set(canonical, answer);
      for (const { subject, entry } of this.#hits.get(canonical) ?? []) this.#match(subject, entry, answer);
      this.#answer(canonical, touched);
    }
    this.#release(touched, released);
    return { released, toConfirm: [] };
  }

  /** The answer for a planned key (once it landed). */
  resolution(canonical: string): UserResolution | undefined {
    return this.#resolutions.get(canonical);
  }

  get resolutions(): ReadonlyMap<string, UserResolution> {
    return this.#resolutions;
  }

  /** The head entries of a released key's subject (two or more: a same-user conflict). */
  entriesOf(canonical: string): DesiredPhoto[] {
    const resolution = this.#resolutions.get(canonical);
    if (!isSubject(resolution)) return [];
    return [...(this.#subjects.get(resolution.id.toLowerCase())?.group.entries ?? [])].sort(byDeclaration);
  }

  /** Every group, as entriesBySubject returns them (entries in declaration order). */
  groups(): Map<string, SubjectEntries> {
    const out = new Map<string, SubjectEntries>();
    for (const [id, { group }] of this.#subjects) out.set(id, { subject: group.subject, entries: [...group.entries].sort(byDeclaration) });
    return out;
  }

  #subject(resolution: ResolvedUser, toConfirm: UserKey[]): SubjectState {
    const id = resolution.id.toLowerCase();
    let state = this.#subjects.get(id);
    if (state) return state;
    state = { group: { subject: resolution, entries: [] }, waiting: new Set(), held: [] };
    this.#subjects.set(id, state);
    for (const folded of keysResolvingTo(resolution)) {
      for (const canonical of this.#index.get(folded) ?? []) {
        if (this.#resolutions.has(canonical)) continue; // answered: grouped by its own answer
        if (this.#planned.has(canonical)) {
          this.#wait(state, id, canonical); // its own answer will group it
          continue;
        }
        const entry = this.#desired.users.get(canonical)!;
        if (this.#confirmed.has(canonical)) {
          this.#match(resolution, entry, this.#confirmed.get(canonical));
          continue;
        }
        const hits = this.#hits.get(canonical);
        if (hits) hits.push({ subject: resolution, entry });
        else {
          this.#hits.set(canonical, [{ subject: resolution, entry }]);
          toConfirm.push(entry.key);
        }
        this.#wait(state, id, canonical);
      }
    }
    return state;
  }

  #wait(state: SubjectState, id: string, canonical: string): void {
    state.waiting.add(canonical);
    const waiters = this.#waiters.get(canonical);
    if (waiters) waiters.add(id);
    else this.#waiters.set(canonical, new Set([id]));
  }

  /** `canonical` has its answer: the subjects waiting for it wait for one less. */
  #answer(canonical: string, touched: Set<string>): void {
    for (const id of this.#waiters.get(canonical) ?? []) {
      this.#subjects.get(id)?.waiting.delete(canonical);
      touched.add(id);
    }
    this.#waiters.delete(canonical);
  }

  #match(subject: ResolvedUser, entry: DesiredPhoto, answer: UserResolution | undefined): void {
    const same = isSubject(answer) ? answer.id.toLowerCase() === subject.id.toLowerCase() : answer?.problem === 'failed';
    if (same) this.#add(this.#subjects.get(subject.id.toLowerCase())!, entry);
  }

  #add(state: SubjectState, entry: DesiredPhoto | undefined): void {
    if (entry && !state.group.entries.includes(entry)) state.group.entries.push(entry);
  }

  #release(touched: ReadonlySet<string>, released: string[]): void {
    for (const id of touched) {
      const state = this.#subjects.get(id);
      if (!state || state.waiting.size > 0 || state.held.length === 0) continue;
      released.push(...state.held);
      state.held = [];
    }
  }
}
