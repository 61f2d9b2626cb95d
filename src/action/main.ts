import * as core from '@actions/core';
import { isUserError, UserError } from '../core/errors.js';
import { runApply } from './applyMode.js';
import { runValidate } from './validateMode.js';
import { runDrift } from './driftMode.js';
import { isPublicRepository, readSettings, type ActionSettings } from './settings.js';

/** The action: read settings once, run the mode, report at the edge. Never throws. */
export async function run(): Promise<void> {
  try {
    const settings = readSettings();
    // doctor reports a public repository among its problems instead of stopping at it.
    if (settings.mode !== 'doctor') guardPublicRepository(settings);
    switch (settings.mode) {
      case 'validate':
      case 'plan':
        await runValidate(settings);
        return;
      case 'apply':
        await runApply(settings);
        return;
      case 'drift':
        await runDrift(settings);
        return;
      case 'doctor':
        await (await import('./doctorMode.js')).runDoctor(settings);
        return;
      case 'export':
        await (await import('./exportMode.js')).runExport(settings);
        return;
      default:
        throw new UserError('config', `Mode "${settings.mode}" is not available in this version of entra-photos yet. Use "mode: validate" or "mode: apply".`);
    }
  } catch (err) {
    if (isUserError(err)) core.setFailed(err.message);
    else core.setFailed(`Internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

function guardPublicRepository(settings: ActionSettings): void {
  if (isPublicRepository(settings.event) && !settings.allowPublicRepo) {
    throw new UserError(
      'guard',
      `${settings.event.repository?.full_name ?? 'This repository'} is public. Profile photos are personal data (for schools, of minors) and must not be published: make the repository private, or set "allow-public-repo: true" if these photos may be public.`,
    );
  }
}
