/**
 * Reusable buffers for photo bytes that live only while one photo is checked and normalised.
 *
 * Why: every fresh multi-megabyte Buffer counts towards V8's external memory, and on a run that
 * reads hundreds of 3 MB camera originals that churn alone triggered a full garbage collection
 * every ~100 ms (bench:overlap: ~90 of them, over a second of a 13 s run on 2 cores). A handful
 * of buffers taken and given back per photo allocate almost nothing after the first few photos.
 */
export interface Lease {
  /** The bytes: a view into the pooled buffer, valid until release(). */
  readonly bytes: Buffer;
  /** Gives the buffer back. The bytes must not be used afterwards (they will be overwritten). */
  release(): void;
}

export class BufferPool {
  readonly #free: Buffer[] = [];

  /** `keep`: at most this many idle buffers are kept (one per photo in flight is enough). */
  constructor(private readonly keep: number) {}

  /** A buffer of at least `size` bytes, the caller's alone until `give` returns it. */
  take(size: number): Buffer {
    const fit = this.#free.findIndex((b) => b.length >= size);
    if (fit >= 0) return this.#free.splice(fit, 1)[0]!;
    // Grow in 1 MB steps so that photos of slightly different sizes reuse the same buffers.
    return Buffer.allocUnsafeSlow(Math.ceil(Math.max(size, 1) / MB) * MB);
  }

  give(buffer: Buffer): void {
    if (this.#free.length < this.keep) {
      this.#free.push(buffer);
      return;
    }
    // Keep the largest: a smaller one would only be replaced by a new allocation later.
    const smallest = this.#free.reduce((at, b, i, all) => (b.length < all[at]!.length ? i : at), 0);
    if (this.#free[smallest]!.length < buffer.length) this.#free[smallest] = buffer;
  }

  /** Buffers held idle (for tests). */
  get idle(): number {
    return this.#free.length;
  }
}

const MB = 1024 * 1024;
