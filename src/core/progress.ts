/**
 * Progress of a long stage (uploads, normalising, drift, export) for people watching a log: a line
 * at a steady interval and at each quarter, in words ("Uploading: 1,240 of 2,000 (62 %), 19.8/s,
 * 12 throttled, about 38 s left"). A run that ends before the first interval prints only its final
 * count. Pure state plus a formatter; the clock and the timer are injectable, so tests need no real
 * waiting. Lines go through the stage's `log` callback, never straight to a stream.
 */

/** A collapsible section of the log (the action's log group); opened before the first progress line. */
export interface LogGroup {
  start(title: string): void;
  end(): void;
}

/** How a stage reports progress (set by the action or the CLI; every field optional). */
export interface ProgressSettings {
  /** Time between progress lines (ms); default 12,000. */
  intervalMs?: number;
  /** Clock (ms); default performance.now. */
  now?: () => number;
  /**
   * Whether a timer prints the interval lines while nothing finishes (a throttled stage can be
   * silent for long); default true. Tests pass false and call poll().
   */
  timer?: boolean;
  /** Where the lines of a long stage sit (the action's log group). */
  group?: LogGroup;
}

/** The throttling a stage has met so far (WritePacer.stats). */
export interface ThrottleSnapshot {
  /** Answers 429 (or 503 with Retry-After) so far. */
  throttled: number;
  /** Current pace (requests/s) once the pacer has found one; null while it ramps up. */
  rate: number | null;
}

export const DEFAULT_PROGRESS_INTERVAL_MS = 12_000;

/** The interval from the environment (ENTRA_PHOTOS_PROGRESS_SECONDS), for the action and the CLI. */
export function progressSettingsFromEnv(env: Record<string, string | undefined>): ProgressSettings {
  const seconds = Number(env.ENTRA_PHOTOS_PROGRESS_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? { intervalMs: seconds * 1000 } : {};
}

export interface ProgressLine {
  /** What the stage does, as a present participle ("Uploading", "Normalising"). */
  verb: string;
  done: number;
  total: number;
  /** Whether `total` is final (export learns its total page by page). */
  totalKnown: boolean;
  elapsedMs: number;
  throttle?: ThrottleSnapshot;
  final?: boolean;
}

const number = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return number.format(n);
}

/** "38 s", "4 min 10 s", "1 h 5 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const min = Math.round((s % 3600) / 60);
  return min ? `${Math.floor(s / 3600)} h ${min} min` : `${Math.floor(s / 3600)} h`;
}

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? `${Math.round(perSecond)}/s` : `${perSecond.toFixed(1)}/s`;
}

/** One progress line, in words. */
export function formatProgress(p: ProgressLine): string {
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  const throttledCount = p.throttle && p.throttle.throttled > 0 ? `${formatCount(p.throttle.throttled)} throttled` : undefined;
  const throttled = throttledCount && p.throttle?.rate ? `${throttledCount} (pacing at ${formatRate(p.throttle.rate)})` : throttledCount;
  if (p.final) {
    const count = p.totalKnown ? `${formatCount(p.done)} of ${formatCount(p.total)}` : formatCount(p.done);
    const extras = [p.done > 0 && p.elapsedMs >= 1000 ? formatRate(rate) : undefined, throttledCount].filter(Boolean);
    return `${p.verb}: ${count} done in ${formatDuration(p.elapsedMs)}${extras.length ? ` (${extras.join(', ')})` : ''}.`;
  }
  const parts: string[] = [];
  if (p.totalKnown && p.total > 0) {
    parts.push(`${formatCount(p.done)} of ${formatCount(p.total)} (${Math.floor((p.done * 100) / p.total)} %)`);
  } else {
    parts.push(`${formatCount(p.done)} of ${formatCount(p.total)} found so far`);
  }
  parts.push(formatRate(rate));
  if (throttled) parts.push(throttled);
  if (p.totalKnown && p.total > p.done) {
    const leftMs = ((p.total - p.done) / rate) * 1000;
    parts.push(p.done > 0 && rate > 0 ? (leftMs < 1000 ? 'less than a second left' : `about ${formatDuration(leftMs)} left`) : 'time left not known yet');
  }
  return `${p.verb}: ${parts.join(', ')}`;
}

/**
 * The progress of one stage. `advance()` as items finish, `finish()` once at the end (it prints
 * the final count, closes the log group and stops the timer; calling it again does nothing).
 */
export class Progress {
  readonly #verb: string;
  readonly #log: (line: string) => void;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #group: LogGroup | undefined;
  readonly #throttle: (() => ThrottleSnapshot) | undefined;
  readonly #started: number;
  #total: number;
  #totalKnown: boolean;
  #done = 0;
  #lastLineAt: number;
  #quarter = 0;
  #grouped = false;
  #finished = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: {
    verb: string;
    total: number;
    log: (line: string) => void;
    settings?: ProgressSettings;
    throttle?: () => ThrottleSnapshot;
    /** False while the total still grows (addTotal); default true. */
    totalKnown?: boolean;
  }) {
    const settings = options.settings ?? {};
    this.#verb = options.verb;
    this.#log = options.log;
    this.#intervalMs = Math.max(1, settings.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
    this.#now = settings.now ?? (() => performance.now());
    this.#group = settings.group;
    this.#throttle = options.throttle;
    this.#total = Math.max(0, options.total);
    this.#totalKnown = options.totalKnown ?? true;
    this.#started = this.#now();
    this.#lastLineAt = this.#started;
    if (settings.timer !== false) {
      this.#timer = setInterval(() => this.poll(), Math.min(this.#intervalMs, 1000));
      this.#timer.unref();
    }
  }

  get done(): number {
    return this.#done;
  }

  get total(): number {
    return this.#total;
  }

  /** More items to do (a stage that learns its total as it goes). */
  addTotal(n: number, options: { final?: boolean } = {}): void {
    this.#total += n;
    if (options.final) this.#totalKnown = true;
  }

  advance(n = 1): void {
    if (this.#finished) return;
    this.#done += n;
    const now = this.#now();
    // Quarter marks of a long stage (one that has run past the first interval).
    if (this.#totalKnown && this.#total > 0 && this.#done < this.#total) {
      const quarter = Math.min(3, Math.floor((this.#done * 4) / this.#total));
      if (quarter > this.#quarter) {
        this.#quarter = quarter;
        if (now - this.#started >= this.#intervalMs) return this.#emit(now);
      }
    }
    this.poll();
  }

  /** Prints the interval line when one is due (the timer calls this). */
  poll(): void {
    if (this.#finished || this.#total === 0) return;
    const now = this.#now();
    if (now - this.#lastLineAt >= this.#intervalMs && this.#done < this.#total) this.#emit(now);
  }

  /** The final count (only when the stage had anything to do); closes the group. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#total > 0 || this.#done > 0) this.#log(this.#line(this.#now(), true));
    if (this.#grouped) this.#group?.end();
  }

  #emit(now: number): void {
    this.#lastLineAt = now;
    if (!this.#grouped && this.#group) {
      this.#group.start(`${this.#verb}: progress`);
      this.#grouped = true;
    }
    this.#log(this.#line(now, false));
  }

  #line(now: number, final: boolean): string {
    let throttle: ThrottleSnapshot | undefined;
    try {
      throttle = this.#throttle?.();
    } catch {
      throttle = undefined;
    }
    return formatProgress({ verb: this.#verb, done: this.#done, total: this.#total, totalKnown: this.#totalKnown, elapsedMs: now - this.#started, final, ...(throttle ? { throttle } : {}) });
  }
}

/** The throttle snapshot of a pacer's stats (structural: the core knows no tenant). */
export function throttleOf(pacer: { readonly stats: { throttled: number; rate: number | null } }): () => ThrottleSnapshot {
  return () => {
    const { throttled, rate } = pacer.stats;
    return { throttled, rate };
  };
}
