import { Composer, LineCounter, Parser, YAMLParseError, isMap, isPair, isScalar, isSeq, type CST, type Document, type Node } from 'yaml';

/** A parsed YAML file that can say where any value came from. */
export interface YamlSource {
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export interface Position {
  line: number;
  col: number;
}

export interface YamlProblem extends Position {
  code: string;
  message: string;
}

/** A tag (`!!str`, `!foo`, `!<tag:...>`) or a directive (`%YAML 1.2`) as written in the file. */
export interface SourceMark extends Position {
  offset: number;
  source: string;
}

export interface ParsedYaml {
  source: YamlSource;
  /** Errors: the document cannot be read as written. */
  problems: YamlProblem[];
  /** What the parser read but warns about (unresolved tags, ambiguous anchors, odd indentation...). */
  warnings: YamlProblem[];
  /** Every tag in the file, on any node (document, key, value, anchored node), as spelled. */
  tags: SourceMark[];
  /** Every directive line (`%YAML`, `%TAG`, unknown ones). */
  directives: SourceMark[];
}

const OPTIONS = { uniqueKeys: true, prettyErrors: false, version: '1.2' } as const;

export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema: `no`/`on` stay strings, and duplicate keys are errors, not silent
  // overrides (a manifest edited by several people must not lose an entry quietly).
  //
  // This is parseDocument() taken apart so that the concrete syntax tree, which still says how
  // each tag was spelled (the composed document only keeps the resolved tag), is seen on its
  // way to the composer: the file is parsed once.
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer(OPTIONS);
  const tags: SourceMark[] = [];
  const directives: SourceMark[] = [];
  // Every tag starts with "!": a file without one (most manifests) needs no walk for tags.
  const mayHaveTags = text.includes('!');
  function* noting(tokens: Generator<CST.Token>): Generator<CST.Token> {
    for (const token of tokens) {
      if (token.type === 'directive') directives.push({ offset: token.offset, source: token.source, line: 0, col: 0 });
      else if (mayHaveTags) collectTags(token, tags);
      yield token;
    }
  }
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(noting(parser.parse(text)), true, text.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents'));
      break;
    }
  }
  // compose(…, true) always yields a document, empty input included.
  if (!doc) throw new Error('the YAML parser returned no document');
  const toProblem = (err: { pos: [number, number]; code: string; message: string }): YamlProblem => ({
    ...lineCounter.linePos(err.pos[0]),
    code: err.code,
    message: err.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, ''),
  });
  const place = (marks: SourceMark[]) => marks.sort((a, b) => a.offset - b.offset).forEach((m) => Object.assign(m, lineCounter.linePos(m.offset)));
  place(tags);
  place(directives);
  return { source: { doc, lineCounter }, problems: doc.errors.map(toProblem), warnings: doc.warnings.map(toProblem), tags, directives };
}

/**
 * Finds tag tokens anywhere in a CST token: props sit in several places (an item's `start` and
 * `sep`, a block scalar's `props`, a document's `start`), so every nested token is looked at.
 * Iterative: a hostile file may nest thousands of levels deep.
 */
function collectTags(root: CST.Token, tags: SourceMark[]): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      for (const child of item) if (typeof child === 'object' && child !== null) stack.push(child);
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    const token = item as { type?: unknown; offset?: unknown; source?: unknown };
    if (token.type === 'tag' && typeof token.source === 'string' && typeof token.offset === 'number') {
      tags.push({ offset: token.offset, source: token.source, line: 0, col: 0 });
      continue;
    }
    for (const key in item) {
      const value = (item as Record<string, unknown>)[key];
      if (typeof value === 'object' && value !== null) stack.push(value);
    }
  }
}

export function positionOf(source: YamlSource, node: Node | null | undefined): Position {
  const offset = node?.range?.[0] ?? 0;
  return source.lineCounter.linePos(offset);
}

/** The value node at a JSON-pointer-like path, and the key node when the last step is a map key. */
export function nodeAt(source: YamlSource, path: readonly (string | number)[]): { node?: Node; key?: Node } {
  let current: unknown = source.doc.contents;
  let key: Node | undefined;
  for (const step of path) {
    key = undefined;
    if (isMap(current)) {
      const pair = current.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return { node: current };
      key = pair.key as Node;
      current = pair.value;
    } else if (isSeq(current) && typeof step === 'number') {
      current = current.items[step];
    } else {
      return { node: current as Node | undefined };
    }
  }
  return { node: (current ?? undefined) as Node | undefined, ...(key ? { key } : {}) };
}

export function parseInstancePath(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
