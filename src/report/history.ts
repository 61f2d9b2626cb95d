/**
 * The history report: text (one block per change), JSON (docs/commands.md "history"), and a
 * local HTML page with the photos side by side. Pure functions. Everything shown comes from git
 * or GitHub and is attacker-written (keys, names, paths, author names, commit subjects, logins):
 * text goes through printable(), HTML through html() below.
 */
import { printable } from '../core/untrusted.js';
import type { Approval } from '../history/approvals.js';
import type { DeclaredState } from '../history/desiredHistory.js';
import type { EnvironmentStatus, HistoryEntry, HistoryResult, RevisionSummary } from '../history/history.js';
import { describeUser } from '../manifest/userKey.js';

const KIND_WORDS: Record<HistoryEntry['kind'], string> = {
  new: 'new photo',
  replaced: 'photo replaced',
  settings: 'normalisation settings changed',
  removed: 'removed',
  invalid: 'declared, but does not validate',
  'valid-again': 'valid again (same photo as before)',
};

export function kindWords(entry: Pick<HistoryEntry, 'kind' | 'readded'>): string {
  return entry.kind === 'new' && entry.readded ? 'added again' : KIND_WORDS[entry.kind];
}

/** The whole history of one subject (or a few) as text. */
export function historyText(result: HistoryResult): string {
  const several = severalSubjects(result);
  const who = subjectsTitle(result);
  const lines = [`History of ${who}: ${result.entries.length} change${result.entries.length === 1 ? '' : 's'}${result.since ? ` since ${result.since}` : ''} up to ${result.head.slice(0, 12)}.`, recordsLine(result.records), ''];
  if (result.entries.length === 0) {
    lines.push(result.since ? `No change since ${result.since}: leave out --since for the whole history.` : 'No revision declares a photo for this key. Check the spelling (a userPrincipalName, an object id, or employeeId:NUMBER).', '');
  }
  for (const entry of result.entries) lines.push(historyEntryText(entry, several), '');
  for (const problem of result.problems) lines.push(`GitHub: ${printable(problem)}`);
  return lines.join('\n').replace(/\n+$/, '\n');
}

/** Several keys asked together: each change names its key. */
function severalSubjects(result: HistoryResult): boolean {
  return result.subjects === 'all' || result.subjects.length > 1;
}

/** Whose history it is: the one subject with its latest name, else the keys asked for (or every subject). */
function subjectsTitle(result: HistoryResult): string {
  const first = result.entries[0];
  if (first && !severalSubjects(result)) return describeUser(first.key, result.entries.findLast((e) => e.name)?.name);
  return result.subjects === 'all' ? 'every subject' : result.subjects.map(printable).join(', ');
}

export function recordsLine(records: HistoryResult['records']): string {
  if (records.length === 0) return 'No applied-revision record in this repository (nothing applied yet, or fetch the tags and notes: --remote).';
  return `Applied records: ${records.map((r) => `${printable(r.target)}/${printable(r.environment)} at ${r.applied ? r.applied.slice(0, 12) : 'nothing complete yet'}`).join(', ')}.`;
}

/** One change: what, where, who, the pull request and its approvals, and each environment. */
export function historyEntryText(entry: HistoryEntry, withKey: boolean): string {
  const r = entry.revision;
  const what = `${withKey ? `${describeUser(entry.key, entry.name)}: ` : ''}${kindWords(entry)}`;
  const lines = [`${r.date}  ${r.commit.slice(0, 12)}  ${what}`];
  if (entry.after) lines.push(`  photo: ${photoLine(entry.after)}${entry.before && entry.kind !== 'valid-again' ? ` (was ${printable(entry.before.photo)})` : ''}`);
  else if (entry.kind === 'removed' && entry.before) lines.push(`  was: ${photoLine(entry.before)}`);
  if (entry.invalid) lines.push(`  ${printable(entry.invalid.file)}:${entry.invalid.line}: ${printable(entry.invalid.message)}`);
  lines.push(`  by ${person(r)}: "${printable(r.subject)}"`);
  for (const c of entry.branchCommits ?? []) lines.push(`  in the merge: ${c.commit.slice(0, 12)} by ${person(c)} ${c.author.date}: "${printable(c.subject)}"`);
  const pr = entry.pullRequest;
  if (pr) {
    const extra = [pr.author ? `opened by ${printable(pr.author)}` : '', pr.mergedBy ? `merged by ${printable(pr.mergedBy)}` : ''].filter(Boolean).join(', ');
    lines.push(`  pull request #${pr.number}${pr.url ? ` ${printable(pr.url)}` : ''}${extra ? ` (${extra})` : ''}`);
  }
  lines.push(`  approved by: ${entry.approvals.length ? entry.approvals.map(approvalText).join(', ') : pr ? 'not recorded in git (pass --github-token to read the reviews)' : 'no pull request or approval recorded'}`);
  for (const env of entry.environments) lines.push(`  ${printable(env.target)}/${printable(env.environment)}: ${environmentText(env)}`);
  return lines.join('\n');
}

function photoLine(state: DeclaredState): string {
  const settings = state.settings.enabled ? `crop ${state.settings.crop}` : 'not normalised';
  return `${printable(state.photo)} (blob ${state.blobId.slice(0, 12)}, ${settings}; ${printable(state.file)}:${state.line})`;
}

function person(r: RevisionSummary): string {
  const co = r.coAuthors.length ? ` with ${r.coAuthors.map(printable).join(', ')}` : '';
  return `${printable(r.author.name)} <${printable(r.author.email)}>${co}`;
}

function approvalText(a: Approval): string {
  return `${printable(a.by)} (${a.from === 'github-review' ? `review${a.at ? ` ${a.at}` : ''}` : 'commit trailer'})`;
}

export function environmentText(env: EnvironmentStatus): string {
  switch (env.status) {
    case 'applied': {
      const runs = (env.runs ?? []).map((run) => {
        const approvals = run.approvals?.length ? `; deployment approved by ${run.approvals.filter((a) => a.state === 'approved').map((a) => printable(a.user)).join(', ') || 'nobody'}` : '';
        return `${run.url ? printable(run.url) : 'a local run'}${run.actor ? ` by ${printable(run.actor)}` : ''}${approvals}`;
      });
      return `applied with ${env.head?.slice(0, 12) ?? '?'}, recorded ${env.at ?? '(time not recorded)'}${runs.length ? ` (${runs.join('; ')})` : ''}`;
    }
    case 'recorded':
      return 'covered by the applied record, no run lists it (the tenant already had it, or a removal applied without prune)';
    case 'waiting':
      return `applied record covers it; waiting for an account since ${env.waiting?.since ?? '?'} (${env.waiting?.problem === 'disabled' ? 'disabled account' : 'no account yet'})`;
    case 'superseded':
      return 'superseded: a later change of this subject was applied first';
    case 'not-yet':
      return 'not applied yet';
  }
}

/** JSON of one history (documented in docs/commands.md "history"). */
export function historyJson(result: HistoryResult): unknown {
  return {
    head: result.head,
    subjects: result.subjects,
    since: result.since ?? null,
    records: result.records,
    entries: result.entries.map(historyEntryJson),
    problems: result.problems,
  };
}

export function historyEntryJson(entry: HistoryEntry): unknown {
  const state = (s: DeclaredState | undefined) => s && { photo: s.photo, blobId: s.blobId, normalise: s.settings.enabled, crop: s.settings.crop, fingerprint: s.fingerprint, file: s.file, line: s.line };
  return {
    subject: entry.subject,
    key: entry.key.value,
    keyKind: entry.key.kind,
    ...(entry.name ? { name: entry.name } : {}),
    kind: entry.kind,
    ...(entry.readded ? { readded: true } : {}),
    revision: entry.revision,
    ...(entry.before ? { before: state(entry.before) } : {}),
    ...(entry.after ? { after: state(entry.after) } : {}),
    ...(entry.invalid ? { invalid: entry.invalid } : {}),
    ...(entry.pullRequest ? { pullRequest: entry.pullRequest } : {}),
    approvals: entry.approvals,
    ...(entry.branchCommits ? { branchCommits: entry.branchCommits } : {}),
    environments: entry.environments,
  };
}

/**
 * A self-contained page for the admin's own machine: each change with the photo before and after
 * as data URIs (thumbnails by blob id, made at the edge). Contains minors' photos: written 0600.
 */
export function historyHtml(result: HistoryResult, thumbnails: ReadonlyMap<string, Buffer>): string {
  const img = (state: DeclaredState | undefined) => {
    const jpeg = state ? thumbnails.get(state.blobId) : undefined;
    return jpeg?.length ? `<img src="data:image/jpeg;base64,${jpeg.toString('base64')}" width="96" height="96" alt="">` : '<span class="none">—</span>';
  };
  const rows = result.entries.map((e) => {
    const r = e.revision;
    const detail = historyEntryText(e, false).split('\n').slice(1).map((l) => html(l.trim()));
    const subject = severalSubjects(result) ? `${html(describeUser(e.key, e.name))}<br>` : '';
    return `<tr><td>${img(e.before)}</td><td>${img(e.after)}</td><td>${subject}<b>${html(kindWords(e))}</b><br>${html(r.date)}<br><code>${html(r.commit.slice(0, 12))}</code></td><td>${detail.join('<br>')}</td></tr>`;
  });
  const who = subjectsTitle(result);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"><title>entra-photos history</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:6px;vertical-align:top;text-align:left}.none{color:#999}</style></head>
<body><h1>History of ${html(who)}</h1>
<p>${html(recordsLine(result.records))}</p>
<p>Contains photos of people: keep this file on this machine and delete it when done.</p>
<table><tr><th>Before</th><th>After</th><th>Change</th><th>Who, approval, applied</th></tr>
${rows.join('\n')}
</table></body></html>
`;
}

function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
