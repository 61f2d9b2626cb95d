import { describe, expect, it } from 'vitest';
import { LogSafeWriter, logSafeJson, neutraliseLog, printable } from '../../../src/core/untrusted.js';
import { parseRunnerCommands } from '../../helpers/runnerCommands.js';

/** Every form of the workflow-command attack the runner would act on, in both syntaxes. */
const COMMAND_FORMS = [
  '::error file=FORGED.yaml,line=1::forged',
  '::warning::forged',
  '::set-output name=errors::0',
  '::add-mask::secret',
  '::stop-commands::HALT',
  '  \t::notice::indented',
  '\u00a0::debug::no-break space',
  '\u200b::error::zero width first',
  ':\u00ad:error::soft hyphen between',
  '##[error]v1 syntax',
  'prefix ##[set-output name=errors;]0',
  '#\u200b#[warning]hidden',
];

describe('neutraliseLog', () => {
  for (const form of COMMAND_FORMS) {
    for (const [name, wrap] of [
      ['after \\n', (s: string) => `ok\n${s}`],
      ['after \\r\\n', (s: string) => `ok\r\n${s}`],
      ['after a lone \\r', (s: string) => `ok\r${s}`],
      ['alone', (s: string) => s],
    ] as const) {
      it(`no command from ${JSON.stringify(form)} ${name}`, () => {
        const logged = neutraliseLog(wrap(form));
        expect(parseRunnerCommands(wrap(form)), 'the raw form is a command').not.toEqual([]);
        expect(parseRunnerCommands(logged)).toEqual([]);
      });
    }
  }

  it('leaves ordinary text and its lines alone', () => {
    const text = 'manifests/a.yaml:3:5: error: photo missing [photo-missing]\n  + ada@contoso.edu  staff/ada.jpg  [new]\n✓ 2 uploaded';
    expect(neutraliseLog(text)).toBe(text);
  });

  it('shows a lone carriage return instead of letting it end the line', () => {
    expect(neutraliseLog('a\rb')).toBe('a\\rb');
    expect(neutraliseLog('a\r\nb')).toBe('a\nb');
  });
});

describe('printable', () => {
  it('keeps data on one line and makes hidden characters visible', () => {
    expect(printable('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(printable('evil\u202egpj.exe')).toBe('evil\\u{202e}gpj.exe');
    expect(printable('zero\u200bwidth\u0085')).toBe('zero\\u{200b}width\\u{0085}');
    expect(printable('josé.jpg')).toBe('josé.jpg');
  });
});

describe('logSafeJson', () => {
  it('parses to the same value and carries no command', () => {
    const value = { user: '##[error]x', photo: 'a\u2028::error::b\r\n::warning::c', hidden: '\u200b#\u200b#[x' };
    const text = logSafeJson(value, 2);
    expect(JSON.parse(text)).toEqual(value);
    expect(neutraliseLog(text)).toBe(text);
    expect(parseRunnerCommands(text)).toEqual([]);
  });
});

describe('LogSafeWriter', () => {
  it('sees a command split across writes as one line', () => {
    const chunks: string[] = [];
    const writer = new LogSafeWriter({ write: (t: string) => chunks.push(t) });
    writer.write('first line\n:');
    writer.write(':error file=FORGED.yaml::x');
    writer.write('\nlast');
    writer.flush();
    const logged = chunks.join('');
    expect(parseRunnerCommands(logged)).toEqual([]);
    expect(logged).toBe('first line\n\\::error file=FORGED.yaml::x\nlast');
  });
});
