import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { portrait } from '../reliability/helpers.js';

/**
 * Distinct portraits photos/p0.jpg … p{count-1}.jpg and an empty manifests/ under `dir`: the start
 * of a repository whose test writes the manifest itself. Returns the bytes written, p0 first.
 */
export async function writePortraits(dir: string, count: number): Promise<Buffer[]> {
  await mkdir(path.join(dir, 'photos'), { recursive: true });
  await mkdir(path.join(dir, 'manifests'), { recursive: true });
  const bytes: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    bytes.push(await portrait(i));
    await writeFile(path.join(dir, 'photos', `p${i}.jpg`), bytes[i]!);
  }
  return bytes;
}
