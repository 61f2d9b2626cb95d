/**
 * A stand-in for api.github.com on loopback — the one thing tests cannot run for real. It
 * implements just the issue-comment endpoints the sticky plan comment uses, the pull-request
 * endpoints export uses (list open, create), the read-only ones history uses (a merged pull
 * request, its reviews, a commit's pull requests, a run's approvals), and records every request (including any OIDC token
 * request, which pull-request runs must never make).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  body: string;
}

export interface FakePullRequest {
  number: number;
  title: string;
  head: string;
  base: string;
  body: string;
  state: 'open' | 'closed';
  html_url: string;
  /** Who opened it: github-actions[bot] for the workflow's own token. */
  author: string;
}

export interface FakeGitHub {
  url: string;
  comments: FakeComment[];
  pulls: FakePullRequest[];
  /**
   * How POST /pulls answers: 'ok', or 'not-permitted': 403 as when the repository setting "Allow
   * GitHub Actions to create and approve pull requests" is off.
   */
  createPulls: 'ok' | 'not-permitted';
  requests: { method: string; path: string; authorization?: string }[];
  /**
   * When true, writes (comments, creating a pull request) answer 403 "Resource not accessible by
   * integration", as GitHub does for a token without the permission (a fork pull request's
   * read-only token, a job without pull-requests: write).
   */
  readOnly: boolean;
  /** history (#18): merged pull requests with their reviews, a commit's pull requests, a run's environment approvals. */
  merged: FakeMergedPull[];
  commitPulls: Record<string, number[]>;
  runApprovals: Record<string, { state: 'approved' | 'rejected'; user: string; environments: string[]; comment?: string }[]>;
  close(): Promise<void>;
}

export interface FakeMergedPull {
  number: number;
  title: string;
  author: string;
  mergedBy: string;
  mergedAt: string;
  reviews: { user: string; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED'; submittedAt: string }[];
}

/** GitHub's answer to a write the token has no permission for. */
const READ_ONLY = { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' };

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const state: Omit<FakeGitHub, 'url' | 'close'> = { comments: [], pulls: [], createPulls: 'ok', requests: [], readOnly: false, merged: [], commitPulls: {}, runApprovals: {} };
  let nextId = 1000;
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    state.requests.push({ method: req.method ?? '', path: url.pathname, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const pulls = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/pulls$/);
    if (pulls && req.method === 'GET') {
      const open = state.pulls.filter((p) => url.searchParams.get('state') !== 'open' || p.state === 'open');
      return send(200, open.map((p) => pullJson(p, `${pulls[1]}/${pulls[2]}`)));
    }
    if (pulls && req.method === 'POST') {
      if (state.readOnly) return send(403, READ_ONLY);
      if (state.createPulls === 'not-permitted') return send(403, { message: 'GitHub Actions is not permitted to create or approve pull requests.', documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request', status: '403' });
      const input = JSON.parse(body) as { title: string; head: string; base: string; body?: string };
      const number = nextId++;
      const pr: FakePullRequest = { number, title: input.title, head: input.head, base: input.base, body: input.body ?? '', state: 'open', html_url: `https://github.com/${pulls[1]}/${pulls[2]}/pull/${number}`, author: 'github-actions[bot]' };
      state.pulls.push(pr);
      return send(201, pullJson(pr, `${pulls[1]}/${pulls[2]}`));
    }
    const list = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/);
    const edit = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/);
    if (list && req.method === 'GET') return send(200, state.comments.map((c) => ({ id: c.id, body: c.body, user: { login: 'github-actions[bot]' } })));
    if ((list && req.method === 'POST') || (edit && req.method === 'PATCH')) {
      if (state.readOnly) return send(403, READ_ONLY);
      const text = (JSON.parse(body) as { body: string }).body;
      if (list) {
        const comment = { id: nextId++, body: text };
        state.comments.push(comment);
        return send(201, comment);
      }
      const comment = state.comments.find((c) => c.id === Number(edit![1]));
      if (!comment) return send(404, { message: 'Not Found' });
      comment.body = text;
      return send(200, comment);
    }
    if (req.method === 'GET') {
      const answer = historyAnswer(state, url);
      if (answer) return send(answer.status, answer.body);
    }
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** GET endpoints `history` reads (#18), as GitHub's REST API shapes them. */
function historyAnswer(state: Pick<FakeGitHub, 'merged' | 'commitPulls' | 'runApprovals'>, url: URL): { status: number; body: unknown } | undefined {
  const m = url.pathname.match(/^\/repos\/([^/]+)\/([^/]+)\/(?:pulls\/(\d+)(\/reviews)?|commits\/([0-9a-f]+)\/pulls|actions\/runs\/(\d+)\/approvals)$/);
  if (!m) return undefined;
  const [, owner, repo, number, reviews, sha, runId] = m;
  const pullUrl = (n: number) => `https://github.com/${owner}/${repo}/pull/${n}`;
  if (number) {
    const pull = state.merged.find((p) => p.number === Number(number));
    if (!pull) return { status: 404, body: { message: 'Not Found' } };
    if (!reviews) return { status: 200, body: { number: pull.number, title: pull.title, html_url: pullUrl(pull.number), user: { login: pull.author }, merged_by: { login: pull.mergedBy }, merged_at: pull.mergedAt, state: 'closed' } };
    const page = Number(url.searchParams.get('page') ?? '1');
    const perPage = Number(url.searchParams.get('per_page') ?? '30');
    const list = pull.reviews.slice((page - 1) * perPage, page * perPage).map((r, i) => ({ id: i + 1, user: { login: r.user }, state: r.state, submitted_at: r.submittedAt }));
    return { status: 200, body: list };
  }
  if (sha) return { status: 200, body: (state.commitPulls[sha] ?? []).map((n) => ({ number: n, html_url: pullUrl(n), merged_at: '2026-01-01T00:00:00Z' })) };
  const approvals = state.runApprovals[runId!];
  return { status: 200, body: (approvals ?? []).map((a) => ({ state: a.state, comment: a.comment ?? '', user: { login: a.user }, environments: a.environments.map((name) => ({ name })) })) };
}

function pullJson(p: FakePullRequest, fullName: string): unknown {
  return {
    number: p.number,
    title: p.title,
    body: p.body,
    state: p.state,
    html_url: p.html_url,
    user: { login: p.author },
    head: { ref: p.head, repo: { full_name: fullName } },
    base: { ref: p.base, repo: { full_name: fullName } },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
