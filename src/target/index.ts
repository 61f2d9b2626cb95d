/**
 * Where targets are chosen. The core takes a PhotoTarget; callers that still hold an Entra
 * TenantClient (the CLI, the action, tests written before the port) pass it as is and get the
 * Entra target. Adding a target: a folder beside entra/ implementing PhotoTarget, and a line here
 * (see docs/architecture.md).
 */
import { TenantClient } from './entra/graph.js';
import { EntraTarget } from './entra/entraTarget.js';
import type { PhotoTarget } from './port.js';

export * from './port.js';
export { ENTRA_PHOTO_SPEC, EntraTarget } from './entra/entraTarget.js';

/** A target, or a connection a target is made from. */
export type TargetInput = PhotoTarget | TenantClient;

export function photoTargetOf(input: TargetInput): PhotoTarget {
  if (input instanceof TenantClient) return new EntraTarget(input);
  return input;
}
