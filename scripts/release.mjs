#!/usr/bin/env node
// Release checks and notes, run by .github/workflows/release.yml on a `v*.*.*` tag (and by hand
// before tagging):
//
//   node scripts/release.mjs check vX.Y.Z   the tag is `v` + package.json's version; CHANGELOG.md
//                                          has a section for it; the schema's $id and the
//                                          README's `uses:` lines name this release / its major
//   node scripts/release.mjs notes vX.Y.Z   prints that CHANGELOG.md section (the release notes)
//   node scripts/release.mjs major vX.Y.Z   prints the major tag to move (v1), or nothing for a
//                                          pre-release (v1.2.0-rc.1)
//
// Exit status: 0 fine, 1 a check failed (every failure is listed), 2 usage.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.ENTRA_PHOTOS_RELEASE_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (rel) => readFileSync(path.join(root, rel), 'utf8');
const TAG = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;
const REPOSITORY = 'entra-photos/entra-photos';

function usage(message) {
  console.error(`release: ${message}\nUsage: node scripts/release.mjs check|notes|major vX.Y.Z`);
  process.exit(2);
}

/** The CHANGELOG.md section of `version`: from its `## [version]` heading to the next `## `. */
export function changelogSection(changelog, version) {
  const lines = changelog.split(/\r?\n/);
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = lines.findIndex((l) => new RegExp(`^## \\[?v?${escaped}\\]?(\\s|$)`).test(l));
  if (start < 0) return undefined;
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  // Link reference definitions at the end of the file ([0.1.0]: https://...) are not notes.
  const body = lines.slice(start + 1, end).filter((l) => !/^\[[^\]]+\]: /.test(l));
  return body.join('\n').trim();
}

const [command, tag, ...extra] = process.argv.slice(2);
if (!command || !tag || extra.length) usage('expected a command and a tag.');
const match = TAG.exec(tag);
if (!match) usage(`"${tag}" is not a release tag like v1.2.3 (or v1.2.3-rc.1).`);
const version = tag.slice(1);
const major = `v${match[1]}`;
const prerelease = match[4] !== undefined;

if (command === 'major') {
  if (!prerelease) console.log(major);
  process.exit(0);
}

const changelog = read('CHANGELOG.md');
const notes = changelogSection(changelog, version);
if (command === 'notes') {
  if (!notes) {
    console.error(`release: CHANGELOG.md has no "## [${version}]" section.`);
    process.exit(1);
  }
  console.log(notes);
  process.exit(0);
}
if (command !== 'check') usage(`unknown command "${command}".`);

const problems = [];
const pkg = JSON.parse(read('package.json'));
if (pkg.version !== version) {
  problems.push(`the tag ${tag} does not match package.json's version ${pkg.version}: set "version": "${version}" (and commit it) before tagging, or tag v${pkg.version}.`);
}
if (!notes) problems.push(`CHANGELOG.md has no "## [${version}]" section with the release notes.`);
const schemaId = JSON.parse(read('schema/manifest.schema.json')).$id;
const expectedId = `https://raw.githubusercontent.com/${REPOSITORY}/${tag}/schema/manifest.schema.json`;
if (schemaId !== expectedId) problems.push(`schema/manifest.schema.json's $id is ${schemaId}; for this release it must be ${expectedId}.`);
const readme = read('README.md');
const uses = [...readme.matchAll(new RegExp(`uses: ${REPOSITORY}@(\\S+)`, 'g'))].map((m) => m[1]);
if (uses.length === 0) problems.push(`README.md has no "uses: ${REPOSITORY}@…" line.`);
for (const ref of new Set(uses)) {
  if (ref !== major && ref !== tag) problems.push(`README.md says "uses: ${REPOSITORY}@${ref}"; this release publishes ${tag} and moves ${major}.`);
}
if (!readme.includes(expectedId)) problems.push(`README.md does not link the schema of this release (${expectedId}).`);

if (problems.length) {
  for (const [i, p] of problems.entries()) console.error(`${i + 1}. ${p}`);
  console.error(`release: ${tag} is not ready (${problems.length} problem(s)).`);
  process.exit(1);
}
console.log(`release: ${tag} is ready (package.json ${pkg.version}, CHANGELOG.md section, schema $id, README).`);
