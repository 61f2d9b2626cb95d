// The rules of docs/architecture.md ("The rules"), checked on the sources: which folder may import
// what, and who makes HTTP requests. A rule broken here is a design change: change the doc first.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sources().map((file) => ({ file: path.relative(SRC, file).split(path.sep).join('/'), text: readFileSync(file, 'utf8') }));

/**
 * Files (relative to src/) whose code matches `pattern` and that are outside the allowed folders.
 * The pattern must match somewhere inside them, so a pattern that matches nothing cannot pass.
 */
function offenders(pattern: RegExp, allowed: readonly string[]): string[] {
  const matching = files.filter(({ text }) => pattern.test(text));
  const outside = matching.filter(({ file }) => !allowed.some((prefix) => file.startsWith(prefix)));
  expect(matching.length - outside.length, `${pattern} matches no allowed file: the check would be empty`).toBeGreaterThan(0);
  return outside.map(({ file }) => file);
}

describe('the rules of docs/architecture.md', () => {
  it('sees the sources it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some(({ file }) => file === 'action/main.ts')).toBe(true);
  });

  it('only src/action/ imports @actions/*', () => {
    expect(offenders(/from '@actions\//, ['action/'])).toEqual([]);
  });

  it('only src/photo/ imports sharp', () => {
    expect(offenders(/from 'sharp'|import\('sharp'\)/, ['photo/'])).toEqual([]);
  });

  it("only Entra's target (and the emulator) use @azure/identity, MSAL and the Graph client", () => {
    expect(offenders(/from '@azure\/identity'|from '@azure\/msal-node'|from '@microsoft\/microsoft-graph-client'/, ['target/entra/', 'emulator/'])).toEqual([]);
  });

  it("only targets, the emulator and history's GitHub client make HTTP requests", () => {
    expect(offenders(/\bfetch\(|from 'node:https?'|from 'undici'/, ['target/', 'emulator/', 'history/githubApi.ts'])).toEqual([]);
  });

  it('src/pacing/ imports no target, and src/apply/ does not import src/drift/', () => {
    const inFolder = (folder: string, pattern: RegExp) => files.filter(({ file, text }) => file.startsWith(folder) && pattern.test(text)).map(({ file }) => file);
    expect(inFolder('pacing/', /from '\.\.\/target\//)).toEqual([]);
    expect(inFolder('apply/', /from '\.\.\/drift\//)).toEqual([]);
  });
});
