/**
 * Test helper: parses report Markdown as GitHub-flavoured Markdown (micromark + mdast) and checks
 * its structure: what data can make of it, whatever the data was.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { expect } from 'vitest';

export interface MdNode {
  type: string;
  value?: string;
  url?: string;
  depth?: number;
  children?: MdNode[];
}

export const ZWSP = '\u200b';

export function parseGfm(md: string): MdNode {
  return fromMarkdown(md, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] }) as MdNode;
}

/** The text a reader sees (character references decoded), our zero-width spaces removed. */
export function visibleText(node: MdNode): string {
  if (node.type === 'text' || node.type === 'inlineCode') return (node.value ?? '').split(ZWSP).join('');
  if (node.type === 'html') return '';
  const sep = ['paragraph', 'heading', 'tableCell', 'tableRow', 'listItem', 'blockquote', 'table', 'list'].includes(node.type) ? '\n' : '';
  return (node.children ?? []).map(visibleText).join('') + sep;
}

/** Every text value under a node, joined: what GitHub's text filters (mentions, references) read. */
function rawText(node: MdNode): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value ?? '';
  return (node.children ?? []).map(rawText).join('');
}

/** Nodes data must never produce. Our reports use none of them. */
const FORBIDDEN = new Set(['image', 'imageReference', 'linkReference', 'definition', 'footnoteReference', 'footnoteDefinition', 'code', 'emphasis', 'delete', 'thematicBreak', 'break']);

/** Code spans we write ourselves (commands and options); any other must be a commit id. */
const OUR_CODE = new Set(['plan', 'prune: true', 'entra-photos validate', 'fix: true', 'entra-photos drift --fix']);

/** Headings we write. */
const OUR_HEADINGS = /^(?:(?:✅|❌|⚠\uFE0F?|🔎) entra-photos: |entra-photos plan |Failures \(\d+\)$|Waiting for an account: \d+$|Users$|Photo policy$|What differs$|Fix$)/u;

export interface OwnUrls {
  /** GITHUB_SERVER_URL of the run: every link and image starts with it. */
  server: string;
  /** Link destinations the report was given (built by the test with githubBlobUrl). */
  links: ReadonlySet<string>;
  /** Thumbnail sources the report was given. */
  images: ReadonlySet<string>;
}

/**
 * Walks the syntax tree of `md` and fails on anything data could have made: links, images and
 * HTML other than ours, references and footnotes, emphasis, code other than ours, headings,
 * lists, quotes and rules we did not write, table rows with another column count than their
 * header, and text that GitHub would turn into a mention, an issue reference or an autolink.
 * Returns the tree.
 */
export function expectInertMarkdown(md: string, own: OwnUrls): MdNode {
  const tree = parseGfm(md);
  const html = (value: string): boolean => {
    // The alt text is ours or a name through mdText: no quote, bracket or bare ampersand.
    const img = /^<img src="([^"<>]*)" width="64" alt="(?:repository photo|(?:[^"<>&\n]|&#\d+;)*)">$/.exec(value);
    if (img) return own.images.has(img[1]!) && img[1]!.startsWith(own.server);
    return /^(?:<!-- entra-photos:plan -->|<sub>|<\/sub>|<\/details>|<details><summary><b>[A-Za-z ]+ \(\d+\)<\/b><\/summary>)$/.test(value);
  };
  const walk = (node: MdNode, parent: MdNode | undefined): void => {
    expect(FORBIDDEN.has(node.type), `${node.type} node: ${JSON.stringify(node).slice(0, 300)}`).toBe(false);
    switch (node.type) {
      case 'link':
        expect(node.url!.startsWith(own.server), `link to ${node.url}`).toBe(true);
        expect(own.links.has(node.url!), `link to ${node.url}, not one we built`).toBe(true);
        expect(node.children!.every((c) => c.type === 'text'), 'link text is text').toBe(true);
        break;
      case 'html':
        expect(html(node.value!), `html ${node.value}`).toBe(true);
        break;
      case 'inlineCode':
        expect(OUR_CODE.has(node.value!) || /^[0-9a-f]{4,64}$/.test(node.value!), `code span ${node.value}`).toBe(true);
        break;
      case 'heading':
        expect(rawText(node), `heading ${rawText(node)}`).toMatch(OUR_HEADINGS);
        break;
      case 'strong':
        expect(node.children!.every((c) => c.type === 'text'), 'strong holds text only').toBe(true);
        break;
      case 'list':
        expect(parent?.type, 'a list inside a list item').toBe('root');
        break;
      case 'blockquote':
        expect(parent?.type, 'a nested quote').toBe('root');
        expect(node.children!.map((c) => c.type)).toEqual(['paragraph']);
        expect(rawText(node)).toMatch(/^\[!WARNING\]\n/);
        break;
      case 'table': {
        const columns = node.children![0]!.children!.length;
        for (const row of node.children!) expect(row.children!.length, `a row of ${row.children!.length} cells under a header of ${columns}: ${visibleText(row)}`).toBe(columns);
        break;
      }
    }
    if (['paragraph', 'heading', 'tableCell'].includes(node.type)) {
      const text = rawText(node);
      // GitHub finds mentions, e-mail autolinks and issue references in the rendered text: each @
      // is followed by a zero-width space, each # by a non-digit.
      expect(text, 'an @ without a zero-width space after it').not.toMatch(/@(?!\u200b)/);
      expect(text, 'a mention').not.toMatch(/@[A-Za-z0-9]/);
      expect(text, 'an issue reference').not.toMatch(/#[0-9]|\bGH-[0-9]/i);
      // GitHub's transform-time autolinker reads decoded text too (mdast-util-gfm-autolink-literal
      // does the same, so a link node would show it; this names the cause).
      expect(text, 'a URL scheme').not.toMatch(/:\/\//);
      expect(text, 'www.').not.toMatch(/www\./i);
    }
    for (const child of node.children ?? []) walk(child, node);
  };
  walk(tree, undefined);
  // cmark-gfm (GitHub's parser) matches `www.` and `://` autolinks on the source, where
  // micromark's rules differ slightly: outside the URLs we built, the source has neither.
  let rest = md;
  for (const url of [...own.links, ...own.images]) rest = rest.split(url).join('');
  expect(rest, 'a URL scheme in the source').not.toMatch(/:\/\//);
  expect(rest, 'www. in the source').not.toMatch(/www\./i);
  return tree;
}

/** What a reader of the rendered Markdown sees (character references decoded, our zero-width spaces removed). */
export function renderedText(md: string): string {
  return visibleText(parseGfm(md));
}

/** Every table row of the rendered Markdown, as the text of its cells. */
export function renderedRows(md: string): string[][] {
  const rows: string[][] = [];
  const walk = (node: MdNode) => {
    if (node.type === 'tableRow') rows.push((node.children ?? []).map((cell) => visibleText(cell).trim()));
    else for (const child of node.children ?? []) walk(child);
  };
  walk(parseGfm(md));
  return rows;
}
