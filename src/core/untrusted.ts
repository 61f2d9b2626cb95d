/**
 * Text that came from a pull request (file names, manifest values, symlink targets, messages of
 * libraries that echo their input) is written by an attacker. Two rules keep it from acting:
 *
 * - `printable(value)` where data is put into a message: every line break and invisible
 *   character becomes a visible escape, so data stays on the line it was put on and cannot
 *   hide what it is (bidirectional overrides, zero-width characters).
 * - `neutraliseLog(text)` where text leaves the process for a log (the action's and the CLI's
 *   stdout/stderr): whatever a builder forgot, no line the runner reads can be a command.
 *
 * Markdown has its own rules (src/report/markdown.ts).
 */

/**
 * Characters that must never reach a log or a message as themselves: C0 and C1 controls,
 * DEL, Unicode format characters (bidi overrides, zero-width space/joiners, soft hyphen, BOM),
 * and the line/paragraph separators.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeCharacter(ch: string): string {
  return NAMED[ch] ?? `\\u{${ch.codePointAt(0)!.toString(16).padStart(4, '0')}}`;
}

/** One line of visible text for a value from data: `a\nb` stays on one line as `a\nb`. */
export function printable(value: string): string {
  return value.replace(INVISIBLE, escapeCharacter);
}


/**
 * Characters a culture-aware comparison may skip (the runner matches `::` and `##[` with .NET's
 * culture-sensitive StartsWith/IndexOf): format characters and combining marks. Used only to
 * decide whether a line looks like a command, never to change what is shown.
 */
const IGNORABLE = /[\p{Cf}\p{Mn}\p{Me}\u034f\u115f\u1160\u3164\uffa0]/gu;

/**
 * Text safe to write to a log read by the GitHub Actions runner (actions/runner,
 * src/Runner.Common/ActionCommand.cs): a line is a command when, after leading whitespace, it
 * starts with `::` (current syntax), or when it contains `##[` anywhere (the older syntax, still
 * parsed). The runner also ends a line at a lone `\r`: ours never contain one, so `\n` and `\r\n`
 * stay line ends and a lone `\r` is shown as `\r`, like other invisible characters; a
 * line that would start with `::` gets a leading `\`; `##[` becomes `#\#[`. Our own workflow
 * commands go through @actions/core (core.error, core.warning...), never through here.
 */
export function neutraliseLog(text: string): string {
  return text.replace(/\r\n/g, '\n').split('\n').map(neutraliseLine).join('\n');
}

function neutraliseLine(line: string): string {
  let out = line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/gu, escapeCharacter);
  const shadow = out.replace(IGNORABLE, '');
  if (/^\s*::/u.test(shadow)) out = `\\${out}`;
  if (shadow.includes('##[')) {
    // Break every `#`…`#`…`[` run, ignorable characters between them included.
    out = out.replace(/#(?=[\p{Mn}\p{Me}\u034f\u115f\u1160\u3164\uffa0]*#[\p{Mn}\p{Me}\u034f\u115f\u1160\u3164\uffa0]*\[)/gu, '#\\');
  }
  return out;
}

/**
 * JSON whose text is log-safe and still parses to the same value: `#`, format characters,
 * C1 controls and the line separators inside strings are written as `\uXXXX` escapes
 * (JSON.stringify already escapes C0 controls), so `##[` and hidden characters cannot appear
 * and no line can start with `::` (every line of the output starts with a bracket, a quote or
 * whitespace).
 */
export function logSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[#\u007f-\u009f\p{Cf}\u2028\u2029]/gu, (ch) =>
    Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );
}

/**
 * A writer for a stream that a runner may read (the CLI in a workflow step): every complete line
 * goes through neutraliseLog. An unfinished line is held until it ends (or `flush`), because a
 * command split across two writes is still one line to the runner.
 */
export class LogSafeWriter {
  private pending = '';
  constructor(private readonly stream: { write(text: string): unknown }) {}

  write(text: string): boolean {
    const all = this.pending + text;
    const end = all.lastIndexOf('\n');
    this.pending = all.slice(end + 1);
    if (end >= 0) this.stream.write(`${neutraliseLog(all.slice(0, end))}\n`);
    return true;
  }

  flush(): void {
    if (this.pending) this.stream.write(neutraliseLog(this.pending));
    this.pending = '';
  }
}
