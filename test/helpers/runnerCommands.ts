/**
 * What the GitHub Actions runner would read as workflow commands in a log, by the rules of
 * actions/runner (src/Runner.Common/ActionCommand.cs and ActionCommandManager): the output is
 * split into lines at \n, \r\n and a lone \r; a line is a command when, after leading
 * whitespace, it starts with `::` and has a second `::` (current syntax), or when it contains
 * `##[` followed later by `]` (older syntax). The runner compares with .NET's culture-sensitive
 * StartsWith/IndexOf, which may skip zero-width and other ignorable characters: this parser
 * skips them too, so it errs on the side of finding a command.
 */
export interface RunnerCommand {
  command: string;
  properties: Record<string, string>;
  data: string;
  line: string;
  /** `::name props::data`, or the older `##[name props]data`. */
  syntax: 'current' | 'older';
}

const IGNORABLE = /[\p{Cf}\p{Mn}\p{Me}\u034f\u115f\u1160\u3164\uffa0]/gu;

export function parseRunnerCommands(log: string): RunnerCommand[] {
  const found: RunnerCommand[] = [];
  for (const line of log.split(/\r\n|\r|\n/)) {
    // .NET TrimStart: Unicode white space, and (a superset) the C1 next-line character.
    const trimmed = line.replace(/^[\s\u0085]+/u, '');
    const shadow = line.replace(IGNORABLE, '').replace(/^[\s\u0085]+/u, '');
    // Read a plain command from the line itself (its properties keep every character); one that
    // only the culture-aware comparison would find, from the shadow.
    const source = trimmed.startsWith('::') ? trimmed : shadow;
    if (source.startsWith('::')) {
      const end = source.indexOf('::', 2);
      if (end >= 0) {
        const info = source.slice(2, end);
        const space = info.indexOf(' ');
        const command = space < 0 ? info : info.slice(0, space);
        // Any name counts (the runner acts only on registered ones): this errs towards finding.
        if (command.length > 0) {
          found.push({ command, properties: properties(space < 0 ? '' : info.slice(space + 1), ','), data: source.slice(end + 2), line, syntax: 'current' });
          continue;
        }
      }
    }
    const prefix = shadow.indexOf('##[');
    if (prefix >= 0) {
      const close = shadow.indexOf(']', prefix);
      if (close >= 0) {
        const info = shadow.slice(prefix + 3, close);
        const space = info.indexOf(' ');
        const command = space < 0 ? info : info.slice(0, space);
        found.push({ command, properties: properties(space < 0 ? '' : info.slice(space + 1), ';'), data: shadow.slice(close + 1), line, syntax: 'older' });
      }
    }
  }
  return found;
}

function properties(text: string, separator: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(separator)) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}
