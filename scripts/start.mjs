// `npm start`: the main job on the embedded default — the repository's own sample manifests/ and
// photos/ — run through the built CLI (dist/cli.js, the same code the action runs).
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');

console.log(`entra-photos: validating the sample in ${root} (node ${process.version})\n`);
const result = spawnSync(process.execPath, [cli, 'validate', '--repo', root, '--all'], { stdio: 'inherit' });
process.exit(result.status ?? 2);
