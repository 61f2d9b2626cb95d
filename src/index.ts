// The action's entry point: GitHub runs dist/index.js, built from this file. Everything lives in
// src/action/main.ts so that it can be imported by tests without side effects.
import { run } from './action/main.js';

await run();
