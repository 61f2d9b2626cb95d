/**
 * Throttling without a hint: refusals that say "slow down" but not until when (no Retry-After;
 * the classifier's `throttled` with `retryAfterSeconds` undefined, as Google's Directory API
 * answers over its per-minute quota). Two pieces of arithmetic for the WritePacer:
 *
 * - when to try again: a single request (the probe) at a steady, short interval, growing with the
 *   time already waited (an eighth of it, from 1 s up to 10 s), rather than doubling: doubling
 *   (1, 2, 4 … 32 s) overshoots a window's reopening by up to half the wait, while this overshoots
 *   by at most an eighth of it, at a cost of refusals growing with the logarithm of the wait (about
 *   24 over the 50 s left of a minute). Once a window is known (below), the probe goes at its
 *   predicted opening and then a few times across the span it may still open in;
 * - a fixed window, read from when refused and admitted requests started: windows back to back
 *   from the first request (the anchor), so the k-th opening lies after the last request refused
 *   before it and at or before the first one admitted: anchor + k·P in (refused, admitted], which
 *   bounds the period P; each opening seen narrows the bounds. A window need not start at our
 *   first request (one counted on clock minutes starts before it): then the anchor is an opening
 *   seen, itself known only to lie in (refused, admitted] (`anchorLo`, `anchor`). Openings that no
 *   single period fits mean it is not such a window.
 */

/** The period of a fixed window, as far as openings seen so far bound it (ms). */
export interface WindowBounds {
  /** When the first window counted began: our first request, or an opening seen, somewhere in (anchorLo, anchor]. */
  anchor: number;
  anchorLo: number;
  loMs: number;
  hiMs: number;
}

/** Where the next opening of a known window lies: not before `opensAt`, surely by `surelyOpenAt`. */
export interface OpeningSpan {
  opensAt: number;
  surelyOpenAt: number;
}

/** Share of the time already waited (since the refusals began) before the next probe. */
export const HINTLESS_WAIT_SHARE = 1 / 8;
/** Probes inside a known window's opening span: this many across it, at least this far apart. */
const SPAN_PROBES = 4;
const SPAN_MIN_STEP_MS = 250;

/**
 * When to send the next probe after a refusal without a hint at `now`, refused since `since`.
 * Before a known window's opening: at the opening (the earliest it may be); within its span: a few
 * times across it; else (no window known, or it did not open when it should have) a steady
 * interval of an eighth of the time waited since then, between `baseMs` and `maxMs`.
 */
export function hintlessRetryAt(now: number, since: number, span: OpeningSpan | undefined, baseMs: number, maxMs: number): number {
  if (span && now < span.opensAt) return span.opensAt;
  if (span && now < span.surelyOpenAt) return Math.min(span.surelyOpenAt, now + Math.max(SPAN_MIN_STEP_MS, (span.surelyOpenAt - span.opensAt) / SPAN_PROBES));
  const from = span ? Math.max(since, span.surelyOpenAt) : since;
  return now + Math.min(maxMs, Math.max(baseMs, (now - from) * HINTLESS_WAIT_SHARE));
}

/**
 * Narrows a window's period with an opening seen between `refusedAt` (the last request refused
 * before it started) and `admittedAt` (the first admitted after it started), each known to
 * `slackMs` (requests are decided a varying time after they leave), counting from `anchor` (for
 * new bounds; an opening seen is known only to lie in (anchorLo, anchor]). Returns the bounds and
 * which opening it was (1 = the end of the first window counted), or undefined when no period fits
 * every opening seen: not a fixed window from that anchor.
 */
export function narrowWindow(bounds: WindowBounds | undefined, anchor: number, refusedAt: number, admittedAt: number, slackMs: number, anchorLo = anchor): { bounds: WindowBounds; opening: number } | undefined {
  const known = bounds ?? { anchor, anchorLo, loMs: 0, hiMs: Number.POSITIVE_INFINITY };
  const opening = Number.isFinite(known.hiMs) ? Math.max(1, Math.round((admittedAt - known.anchor) / ((known.loMs + known.hiMs) / 2))) : 1;
  const loMs = Math.max(known.loMs, (refusedAt - known.anchor - slackMs) / opening);
  const hiMs = Math.min(known.hiMs, (admittedAt - known.anchorLo + slackMs) / opening);
  if (!(loMs > 0) || loMs > hiMs) return undefined;
  return { bounds: { anchor: known.anchor, anchorLo: known.anchorLo, loMs, hiMs }, opening };
}
