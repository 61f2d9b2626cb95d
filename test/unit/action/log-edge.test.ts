/**
 * One place prints: plain log text from the action goes through src/action/log.ts, and the CLI
 * writes through the LogSafeWriter in src/cli/main.ts, so neutraliseLog sees every line that
 * carries data. This checks the sources keep it that way: a new `core.info(` or `console.log(`
 * elsewhere would print data the runner may read as a command.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/repo.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

const SRC = path.join(REPO_ROOT, 'src');
const files = sources(SRC).map((file) => ({ rel: path.relative(REPO_ROOT, file), text: readFileSync(file, 'utf8') }));

describe('every printed line passes the log edge', () => {
  it('reads the sources', () => expect(files.length).toBeGreaterThan(50));

  it('only src/action/log.ts calls core.info (core.error/warning/setFailed escape their own data)', () => {
    const callers = files.filter((f) => /\bcore\.info\(/.test(f.text)).map((f) => f.rel);
    expect(callers).toEqual(['src/action/log.ts']);
  });

  it('nothing outside the emulator writes to the console or process streams directly', () => {
    const pattern = /\bconsole\.(log|info|warn|error|debug)\(|process\.(stdout|stderr)\.write\(/;
    const writers = files.filter((f) => !f.rel.startsWith('src/emulator/') && pattern.test(f.text)).map((f) => f.rel);
    expect(writers).toEqual([]);
  });

  it('the CLI wraps both of its streams before any command runs', () => {
    const main = files.find((f) => f.rel === 'src/cli/main.ts')!.text;
    expect(main).toMatch(/const out = new LogSafeWriter\(stdout\);\s*const err = new LogSafeWriter\(stderr\);/);
  });
});
