// Per-request latency with spread, and the bookkeeping that lets stop() cancel every pending
// delay so no timer keeps the process (or a test worker) alive.
import type { LatencyConfig } from './options.js';
import type { RandomSource } from './random.js';

export class Delays {
  readonly #pending = new Map<NodeJS.Timeout, () => void>();
  #stopped = false;

  /** Resolves after `ms` (or at once when stopped); the timer never holds the event loop open. */
  wait(ms: number): Promise<void> {
    if (ms <= 0 || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.#pending.set(timer, resolve);
    });
  }

  /** Cancels every pending delay, releasing whoever awaits it. */
  stop(): void {
    this.#stopped = true;
    for (const [timer, release] of this.#pending) {
      clearTimeout(timer);
      release();
    }
    this.#pending.clear();
  }
}

export function sampleLatency(config: LatencyConfig | undefined, random: RandomSource): number {
  if (!config || (config.medianMs <= 0 && config.spreadMs <= 0)) return 0;
  const jitter = (random() * 2 - 1) * config.spreadMs;
  return Math.max(0, config.medianMs + jitter);
}
