import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatFileParser, type CatFileAnswer } from '../../../src/repo/catFileParser.js';
import { BlobReader } from '../../../src/repo/git.js';

/** What `git cat-file --batch` prints for these objects (null = missing). */
function batchOutput(objects: (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [];
  objects.forEach((content, i) => {
    const oid = String(i).padStart(40, '0');
    if (!content) parts.push(Buffer.from(`${oid} missing\n`));
    else parts.push(Buffer.from(`${oid} blob ${content.length}\n`), content, Buffer.from('\n'));
  });
  return Buffer.concat(parts);
}

/** Answers as short comparable strings (deep-comparing 300 KB buffers hundreds of times is slow). */
const digest = (answers: CatFileAnswer[]) => answers.map((a) => (a.kind === 'missing' ? 'missing' : `${a.content.length}:${createHash('sha1').update(a.content).digest('hex')}`));

function parseInChunks(stream: Buffer, cuts: number[]): CatFileAnswer[] {
  const answers: CatFileAnswer[] = [];
  const parser = new CatFileParser((a) => answers.push(a));
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    parser.push(stream.subarray(from, cut));
    from = cut;
  }
  return answers;
}

describe('CatFileParser', () => {
  // Contents that look like headers, contain newlines and are empty: only the declared size counts.
  const objects = [Buffer.from('a\nb\n'), Buffer.alloc(0), null, Buffer.from('x blob 3\n\n'), Buffer.alloc(300_000, 7), Buffer.from([0xff, 0x0a, 0x0a])];
  const stream = batchOutput(objects);
  const expected = digest(objects.map((o): CatFileAnswer => (o ? { kind: 'object', content: o } : { kind: 'missing' })));

  it('answers every object in order whatever the pipe chunking', () => {
    expect(digest(parseInChunks(stream, []))).toEqual(expected);
    // Every cut point inside the small objects, including inside headers and at the trailing newlines.
    for (let cut = 1; cut < 160; cut++) expect(digest(parseInChunks(stream, [cut]))).toEqual(expected);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 50; trial++) {
      const cuts = Array.from({ length: 20 }, () => Math.floor(random() * stream.length)).sort((a, b) => a - b);
      expect(digest(parseInChunks(stream, cuts))).toEqual(expected);
    }
  });

  it('gives each object its own buffer of exactly its size (nothing retained from the stream)', () => {
    const answers = parseInChunks(stream, [10, 70_000, 200_000]);
    const big = answers[4] as { kind: 'object'; content: Buffer };
    expect(big.content.length).toBe(300_000);
    expect(big.content.buffer.byteLength).toBe(300_000);
  });

  it('refuses a header it cannot read', () => {
    const parser = new CatFileParser(() => undefined);
    expect(() => parser.push(Buffer.from('deadbeef blob lots\n'))).toThrow(/unexpected header/);
  });
});

describe('BlobReader against real git', () => {
  const repo = mkdtempSync(path.join(tmpdir(), 'entra-photos-catfile-'));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('reads many blobs, large ones across pipe chunks, concurrently requested, and names a missing one', async () => {
    execFileSync('git', ['init', '-q', repo]);
    const contents = Array.from({ length: 40 }, (_, i) => Buffer.alloc(i % 4 === 0 ? 3_000_000 + i : i * 17, i));
    const oids = contents.map((c, i) => {
      const file = path.join(repo, `f${i}`);
      writeFileSync(file, c);
      return execFileSync('git', ['hash-object', '-w', file], { cwd: repo }).toString().trim();
    });
    const reader = new BlobReader(repo);
    try {
      const read = await Promise.all(oids.map((oid) => reader.read(oid)));
      read.forEach((b, i) => expect(b.equals(contents[i]!)).toBe(true));
      await expect(reader.read('1'.repeat(40))).rejects.toThrow(/1{40} is missing .*Fetch the history/);
      expect((await reader.read(oids[5]!)).equals(contents[5]!)).toBe(true);
    } finally {
      reader.close();
    }
  });
});
