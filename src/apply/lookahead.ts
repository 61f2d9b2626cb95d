/**
 * Works ahead through an ordered list: keeps `work(item)` started for up to `ahead` items not yet
 * taken, so each result is (nearly) ready when the consumer reaches it.
 *
 * Apply uses it to normalise photos (CPU) while the run is still talking to the tenant (sign-in,
 * user lookups, the first apply's comparison, the policy read) and while earlier photos wait for
 * the throttle: without it the cores sat idle for the first second or so of every run.
 * `ahead` bounds the memory held by results nobody has taken yet.
 */
export class Lookahead<T, R> {
  readonly #position: Map<T, number>;
  readonly #started = new Map<T, Promise<R>>();
  /** Set by keepOnly: items outside it are never started. */
  #wanted: ReadonlySet<T> | undefined;
  #next = 0;
  #stopped = false;

  constructor(
    private readonly items: readonly T[],
    private readonly work: (item: T) => Promise<R>,
    private readonly ahead: number,
  ) {
    this.#position = new Map(items.map((item, i) => [item, i]));
  }

  /** Starts work on the next items, until `ahead` results are pending or ready and untaken. */
  fill(): void {
    while (!this.#stopped && this.#started.size < this.ahead && this.#next < this.items.length) {
      const item = this.items[this.#next++]!;
      if (!this.#wanted || this.#wanted.has(item)) this.#start(item);
    }
  }

  /** The result for `item`: the one worked ahead, or work started now. */
  take(item: T): Promise<R> {
    const result = this.#started.get(item) ?? this.work(item);
    this.#started.delete(item);
    const position = this.#position.get(item);
    if (position !== undefined && position >= this.#next) this.#next = position + 1;
    this.fill();
    return result;
  }

  /** The consumer will take none of the items outside `wanted`: their results are dropped and the rest never started. */
  keepOnly(wanted: ReadonlySet<T>): void {
    this.#wanted = wanted;
    for (const item of this.#started.keys()) if (!wanted.has(item)) this.#started.delete(item);
    this.fill();
  }

  /** The consumer will not take `item`. */
  discard(item: T): void {
    this.#started.delete(item);
    const position = this.#position.get(item);
    if (position !== undefined && position >= this.#next) this.#next = position + 1;
    this.fill();
  }

  /** Nothing new starts (a cancelled run); work in progress finishes unobserved. */
  stop(): void {
    this.#stopped = true;
    this.#started.clear();
  }

  /** Results started and not yet taken (for tests and bounds). */
  get pending(): number {
    return this.#started.size;
  }

  #start(item: T): void {
    const result = this.work(item);
    // Observed when taken; a result that is dropped must not become an unhandled rejection.
    result.catch(() => {});
    this.#started.set(item, result);
  }
}
