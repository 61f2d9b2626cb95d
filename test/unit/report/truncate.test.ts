import { describe, expect, it } from 'vitest';
import { mdText, truncateAtLine } from '../../../src/report/markdown.js';
import { expectInertMarkdown, renderedText } from '../../helpers/markdownTree.js';

describe('truncateAtLine: the last resort when a report cannot fit GitHub\'s limits', () => {
  it('leaves text within the limit alone', () => {
    expect(truncateAtLine('a\nb\n', 100)).toBe('a\nb\n');
  });

  it('never cuts inside an escaped line, so an entity or link is not left half-written', () => {
    const hostile = mdText('[click](https://evil.example) `code` @someone #12 <img src=x>');
    const lines = Array.from({ length: 400 }, (_, i) => `${i}: ${hostile}`);
    const text = lines.join('\n');
    for (const limit of [500, 1234, 4096, 9999]) {
      const cut = truncateAtLine(text, limit);
      expect(cut.length).toBeLessThanOrEqual(limit);
      const kept = cut.split('\n').filter((line) => /^\d+: /.test(line));
      expect(kept.length).toBeGreaterThan(0);
      for (const line of kept) expect(lines).toContain(line);
      expect(renderedText(cut)).toContain('Truncated to fit GitHub');
      expectInertMarkdown(cut, { server: 'https://github.com', links: new Set(), images: new Set() });
    }
  });
});
