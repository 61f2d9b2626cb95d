// Temporary: the Graph errors moved to src/target/entra/errors.ts. The write pacer (still here)
// imports them through this file until it moves to a target-neutral place and takes the target's
// classifier instead.
export { classifyFailure, isGraphError } from '../target/entra/errors.js';
