// The baseline for bench:normalise: a bare sharp pipeline doing the same decode + resize as
// entra-photos' normalisation (cover-crop to 648², JPEG q90), with the same number of photos in
// flight (cores + 1), over every *.jpg under a folder. Prints the elapsed seconds as JSON.
// Usage: node bench/lib/bare-sharp.mjs DIR [PARALLELISM]
import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

const dir = process.argv[2];
const parallelism = Number(process.argv[3] ?? availableParallelism() + 1);
const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.jpg')).map((f) => path.join(dir, f));
const started = performance.now();
let next = 0;
let bytes = 0;
await Promise.all(
  Array.from({ length: parallelism }, async () => {
    while (next < files.length) {
      const file = files[next++];
      const out = await sharp(await readFile(file)).resize(648, 648, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
      bytes += out.length;
    }
  }),
);
console.log(JSON.stringify({ photos: files.length, seconds: (performance.now() - started) / 1000, bytes }));
