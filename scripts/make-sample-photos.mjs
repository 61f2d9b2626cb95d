// Draws the sample portraits in photos/ (illustrations, not real people: the sample must never
// contain anyone's personal data). Deterministic: the same script writes the same bytes.
// Usage: node scripts/make-sample-photos.mjs
import sharp from 'sharp';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const people = [
  ['staff/ada.lovelace.jpg', '#3b6ea5', '#f1c27d', '#4a2c17', 900],
  ['staff/grace.hopper.jpg', '#6b8e23', '#ffdbac', '#9e9e9e', 800],
  ['staff/alan.turing.jpg', '#8b5a2b', '#e0ac69', '#2b1b0e', 1024],
  ['staff/katherine.johnson.jpg', '#a0522d', '#8d5524', '#1b1b1b', 720],
  ['staff/margaret.hamilton.jpg', '#2f4f4f', '#f1c27d', '#5a3825', 960],
  ['students/10023.jpg', '#4682b4', '#c68642', '#1b1b1b', 700],
  ['students/10024.jpg', '#cd853f', '#ffdbac', '#d2a35b', 700],
  ['students/10025.jpg', '#5f9ea0', '#e0ac69', '#3b2314', 700],
  ['students/10026.jpg', '#9370db', '#8d5524', '#0f0f0f', 700],
  ['students/10027.jpg', '#3cb371', '#f1c27d', '#7a4a1e', 700],
  ['students/10028.jpg', '#b8860b', '#c68642', '#2b1b0e', 700],
  ['students/10029.jpg', '#4169e1', '#ffdbac', '#a0522d', 700],
];

const svg = (bg, skin, hair, size) => `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100">
  <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${bg}" stop-opacity="0.7"/><stop offset="1" stop-color="${bg}"/></linearGradient></defs>
  <rect width="100" height="100" fill="url(#g)"/>
  <path d="M14 100 C16 76 30 70 50 70 C70 70 84 76 86 100 Z" fill="#334" />
  <rect x="43" y="58" width="14" height="14" fill="${skin}"/>
  <ellipse cx="50" cy="44" rx="17" ry="21" fill="${skin}"/>
  <path d="M32 42 C30 22 42 18 50 18 C60 18 71 23 68 42 C64 32 56 29 50 29 C43 29 36 32 32 42 Z" fill="${hair}"/>
  <circle cx="43.5" cy="45" r="1.8" fill="#222"/><circle cx="56.5" cy="45" r="1.8" fill="#222"/>
  <path d="M44 55 Q50 59 56 55" stroke="#7a3b2e" stroke-width="1.4" fill="none" stroke-linecap="round"/>
</svg>`;

const root = path.resolve(import.meta.dirname, '..', 'photos');
for (const [file, bg, skin, hair, size] of people) {
  const jpeg = await sharp(Buffer.from(svg(bg, skin, hair, size))).jpeg({ quality: 88 }).toBuffer();
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), jpeg);
}
console.log(`wrote ${people.length} sample portraits to ${root}`);
