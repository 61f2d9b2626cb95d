/**
 * Parses the output of `git cat-file --batch`: for each requested object a header line
 * (`<oid> <type> <size>` or `<oid> missing`), then `size` bytes of content and a newline.
 *
 * Each object's content is copied once, straight from the pipe's chunks into a buffer of its
 * final size (not from Buffer's shared pool, so a large photo is freed on its own). Joining the
 * chunks and then slicing a copy out (the obvious way) allocates three times a photo's size; for
 * 3 MB camera originals that garbage kept V8's garbage collector busy instead of sharp.
 */
export type CatFileAnswer = { kind: 'object'; content: Buffer } | { kind: 'missing' };

export class CatFileParser {
  /** Bytes of a header line not yet terminated (headers are short; this stays tiny). */
  private header: Buffer[] = [];
  private body: Buffer | undefined;
  private filled = 0;
  /** The newline after an object's content is still to be skipped. */
  private trailer = false;

  /**
   * `allocate(size)` gives the buffer the next object's content is copied into (at least `size`
   * bytes; the answer is a view of exactly `size`): a fresh one by default, a pooled one for photos.
   */
  constructor(
    private readonly onAnswer: (answer: CatFileAnswer) => void,
    private readonly allocate: (size: number) => Buffer = (size) => Buffer.allocUnsafeSlow(size),
  ) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.body) {
        const n = Math.min(this.body.length - this.filled, chunk.length - at);
        chunk.copy(this.body, this.filled, at, at + n);
        this.filled += n;
        at += n;
        if (this.filled === this.body.length) this.finishBody();
      } else if (this.trailer) {
        at++; // the newline that ends every object's content
        this.trailer = false;
      } else {
        const newline = chunk.indexOf(10, at);
        if (newline < 0) {
          this.header.push(chunk.subarray(at));
          return;
        }
        this.header.push(chunk.subarray(at, newline));
        at = newline + 1;
        this.startObject(Buffer.concat(this.header).toString('latin1'));
        this.header = [];
      }
    }
  }

  private startObject(line: string): void {
    if (line.endsWith(' missing')) {
      this.onAnswer({ kind: 'missing' });
      return;
    }
    const size = Number(line.split(' ')[2]);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`git cat-file answered an unexpected header: ${line.slice(0, 200)}`);
    this.body = this.allocate(size).subarray(0, size);
    this.filled = 0;
    if (size === 0) this.finishBody();
  }

  private finishBody(): void {
    const content = this.body!;
    this.body = undefined;
    this.trailer = true;
    this.onAnswer({ kind: 'object', content });
  }
}
