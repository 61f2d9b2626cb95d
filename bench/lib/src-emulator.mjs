// The tenant emulator from the sources (src/emulator, not dist/), in its own process for a bench:
// started with the options given as JSON in argv[2], prints one JSON line with what a client needs,
// and stops when its stdin closes (the bench exited or was killed) or on SIGTERM. 127.0.0.1 only.
// Run with --experimental-transform-types --import ./bench/lib/ts-hooks.mjs.
import { readFileSync } from 'node:fs';
const { startEmulator } = await import('../../src/emulator/index.ts');
// (Or @FILE holding them: thousands of users do not fit in one argument.)
const argument = process.argv[2] ?? '{}';
const options = JSON.parse(argument.startsWith('@') ? readFileSync(argument.slice(1), 'utf8') : argument);
const emulator = await startEmulator(options);
const { url, graphUrl, authorityHost, tenantId, clientId, adminUrl, caCertPem, caCertPath, env } = emulator;
// (env and google: what the Google target's keyless sign-in needs, for bench:pacing's Google shapes.)
const { endpoint, workloadIdentityProvider, serviceAccount } = emulator.google;
process.stdout.write(`${JSON.stringify({ url, graphUrl, authorityHost, tenantId, clientId, adminUrl, caCertPem, caCertPath, env, google: { endpoint, workloadIdentityProvider, serviceAccount }, pid: process.pid })}\n`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await emulator.stop();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
