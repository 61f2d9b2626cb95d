import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';

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

export function parseYaml(text: string): { source: YamlSource; problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  // YAML 1.2 core schema: `no`/`on` stay strings, and duplicate keys are errors, not silent
  // overrides (a manifest edited by several people must not lose an entry quietly).
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.2' });
  const problems: YamlProblem[] = doc.errors.map((err) => {
    const pos = lineCounter.linePos(err.pos[0]);
    return { ...pos, code: err.code, message: err.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '') };
  });
  return { source: { doc, lineCounter }, problems };
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
