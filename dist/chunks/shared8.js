import { createRequire as __entraPhotosCreateRequire } from 'node:module';
import { fileURLToPath as __entraPhotosFileURLToPath } from 'node:url';
import { dirname as __entraPhotosDirname } from 'node:path';
const require = __entraPhotosCreateRequire(import.meta.url);
const __filename = __entraPhotosFileURLToPath(import.meta.url);
const __dirname = __entraPhotosDirname(__filename);
import { p as printable } from './shared4.js';

/**
 * Markdown pieces shared by the report builders (job summaries and the pull-request comment).
 *
 * Everything that comes from a pull request (file names, manifest values, user keys, finding
 * messages that quote them) or from the tenant and libraries (Graph error messages) is written
 * by someone else and must stay text: no link, image, HTML, emphasis, table cell, line, mention or
 * issue reference may come out of it. Our own Markdown (headings, tables, `<details>`, emoji) is
 * written around data; data reaches the Markdown only through the helpers here:
 *
 * - `mdText(value)`: any inline text from data (a table cell, a list item, link text).
 * - `mdRevision(sha)`: a commit id, in a code span when it is one.
 * - `mdLink(text, url)`, `htmlImageSrc(url)`: links and thumbnails, whose URLs we build
 *   (`githubBlobUrl`) and check again here.
 *
 * GitHub renders comments and summaries with cmark-gfm and then rewrites the HTML (mentions,
 * issue references, ...). The rules below are chosen against both stages.
 */
/** U+200B ZERO WIDTH SPACE: invisible, not a word character, not part of a name or number. */
const ZWSP = '\u200b';
/**
 * ASCII punctuation written as numeric character references (`&#NN;`). A character reference
 * renders as its character but never takes part in syntax (CommonMark 6.2; GFM tables split rows
 * on a literal `|` before references are decoded; cmark-gfm's parse-time `www.` and `://`
 * autolinks match the source text). Covered: emphasis and strikethrough (`* _ ~`), code spans
 * (`` ` ``), links, images and footnotes (`[ ] ( ) !` `^`), raw HTML and autolinks (`< >`),
 * entities (`&` `;`), escapes (`\`), table cells (`|`), GFM extended autolinks (`.` `:`), block
 * markers should data ever start a line (`# + - = > ~`), math (`$`), and the rest of the ASCII
 * punctuation for good measure (`" % ' ? { }`... except the three below).
 *
 * Left as they are, for readability: `/` and `,` (no construct is made of them) and `@`, which
 * gets a zero-width space after it instead (see mdText: a reference would not help there).
 */
const ACTIVE = new Set('!"#$%&\'()*+-.:;<=>?[\\]^_`{|}~');
/**
 * Inline Markdown text that shows `value` and nothing else:
 *
 * 1. `printable()`: line breaks, tabs, controls, bidi overrides and zero-width characters become
 *    visible escapes (`\n`, `\u{202e}`), so data stays on its line (one table row, one list
 *    item) and cannot hide what it says. This also makes our own zero-width spaces (step 2) the
 *    only ones in the output.
 * 2. Zero-width spaces where GitHub works on the rendered text, after character references are
 *    decoded, so that step 3 does not reach it: mentions and issue references are found in the
 *    rendered HTML, and besides cmark-gfm's parse-time autolinks (on the source) GitHub runs a
 *    second, transform-time autolinker on decoded text (e-mail addresses everywhere; `www.` and
 *    `http(s)://` at least in rendered files; see micromark-extension-gfm-autolink-literal's
 *    readme). So: after every `@` (no `@user`/`@org/team` mention, no e-mail autolink, which
 *    needs an alphanumeric right after the `@`); between `#` or `GH-` and a digit (no `#1`,
 *    `owner/repo#1`, `GH-1`: a reference is also a cross-reference event on that issue);
 *    between `:` and `/` (no `scheme://` autolink); between `www` and `.`.
 *    The cost: a UPN copied from a report carries an invisible character after its `@`.
 * 3. Active ASCII punctuation becomes `&#NN;` (see ACTIVE): no Markdown or GFM syntax, and a `|`
 *    can never add or remove a table column.
 */
function mdText(value) {
    return printable(value)
        .replace(/@/g, `@${ZWSP}`)
        .replace(/(?<=#|\bGH-)(?=[0-9])/gi, ZWSP)
        .replace(/:(?=\/)/g, `:${ZWSP}`)
        .replace(/(?<=www)(?=\.)/gi, ZWSP)
        .replace(/[\x21-\x7e]/g, (ch) => (ACTIVE.has(ch) ? `&#${ch.charCodeAt(0)};` : ch));
}
/**
 * A commit id in a code span (monospace) when it is one; anything else as mdText. Code spans are
 * not used for other data: their content is not decoded, so a backtick, a `|` in a table or a
 * trailing backslash could not be neutralised inside them.
 */
function mdRevision(value) {
    return /^[0-9a-f]{4,64}$/i.test(value) ? `\`${value}\`` : mdText(value);
}
/**
 * A URL as a link destination or attribute value: only http(s) URLs, and every character that
 * could end the destination or the attribute early, or be read as an entity, escape or table
 * cell, percent-encoded (`( ) < > " ' \` space, `&`, `|`, backtick, `[ ]`, `*`, controls and
 * non-ASCII). Idempotent on the URLs githubBlobUrl builds. Undefined for anything else.
 */
function safeUrl(url) {
    if (!/^https?:\/\/[^\s/?#]+/i.test(url))
        return undefined;
    return wellFormed(url).replace(/[^A-Za-z0-9\-._~:/?#@!$+,;=%]/gu, (ch) => encodeURIComponent(ch).replace(/[!'()*]/g, percent));
}
/** Lone surrogates (a YAML `"\ud800"` escape) as U+FFFD: encodeURIComponent throws on them. */
function wellFormed(s) {
    return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
/** `[text](url)` with text from data; just the text when the URL is not one we can link. */
function mdLink(text, url) {
    const href = safeUrl(url);
    return href ? `[${mdText(text)}](${href})` : mdText(text);
}
/** The value of an `<img src="...">` attribute: a safeUrl (no `"`, `<`, `>`, `&`), or undefined. */
function htmlImageSrc(url) {
    return safeUrl(url);
}
function percent(ch) {
    return `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}
/**
 * One URL path segment: `encodeURIComponent` plus `! ' ( ) *`, which it leaves as they are and
 * which could end a Markdown link destination (`)`) or an attribute (`'`) early.
 */
function encodePathSegment(segment) {
    return encodeURIComponent(wellFormed(segment)).replace(/[!'()*]/g, percent);
}
/**
 * `server/owner/repo/blob/sha/path` with every segment of the repository, revision and path
 * encoded. `server` is the GitHub server URL of the run (GITHUB_SERVER_URL), not data. A `.` or
 * `..` segment (never in a git tree, but a manifest value could say it) would be resolved by the
 * browser, `%2E` included, and lead out of the repository: its dots are written `%252E`, a name
 * that does not exist, so the link stays inside the commit and finds nothing.
 */
function githubBlobUrl(server, repository, sha, path) {
    const segment = (s) => (s === '.' || s === '..' ? s.replace(/\./g, '%252E') : encodePathSegment(s));
    const segments = (s) => s.split('/').map(segment).join('/');
    return `${server.replace(/\/+$/, '')}/${segments(repository)}/blob/${encodePathSegment(sha)}/${segments(path)}`;
}
/**
 * The last resort cuts at a line break, never inside a line: a character reference (`&#96;`)
 * or a link cut in half would turn escaped text back into Markdown.
 */
function truncateAtLine(text, limit) {
    if (text.length <= limit)
        return text;
    const note = '\n\n<sub>Truncated to fit GitHub\'s size limit: the complete list is in the job log.</sub>\n';
    const cut = text.lastIndexOf('\n', limit - note.length);
    return `${text.slice(0, Math.max(cut, 0))}${note}`;
}

export { mdRevision as a, mdLink as b, githubBlobUrl as g, htmlImageSrc as h, mdText as m, safeUrl as s, truncateAtLine as t };
