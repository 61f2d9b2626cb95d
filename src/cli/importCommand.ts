/** `entra-photos import`: a photographer's delivery (PSPA INDEX.TXT or a CSV) into photos and a manifest. */
import path from 'node:path';
import type { Output } from './output.js';
import { logSafeJson } from '../core/untrusted.js';
import { UserError } from '../core/errors.js';
import { parseOptions, readFormat, repoDirectory, wantsHelp } from './args.js';
import { importDelivery } from '../import/import.js';
import { importClean, importJson, importText } from '../report/import.js';
import { TENANT_OPTIONS, tenantFromArgs } from './tenantArgs.js';

export const IMPORT_USAGE = `Options for import (one of --pspa / --csv; tenant options as for apply, or --roster):
  --repo DIR                Repository to write into (default: current directory)
  --pspa DIR                PSPA delivery folder (INDEX.TXT, MASTER.TXT with retakes wins)
  --csv FILE                CSV with a header row: an id column and a file column
  --id-column COL           Id column: header name, or for header-less INDEX.TXT a number or
                            letter (default: "Student ID"-like header, else column N)
  --file-column NAME        File column of --csv (default: file)
  --roster FILE             Match offline against a roster CSV instead of the tenant's users;
                            columns by their usual names (UPN/userPrincipalName, Email/Mail/
                            E-mail, Student ID/employeeId, Name/displayName), any case or spacing
  --crop centre|attention   How 4:5 portraits become square (default: centre)
  --key upn|employeeId      How the manifest names users (default: upn; a roster without a UPN
                            column gives mail-address keys); the report says which and why
  --manifest FILE           Manifest to write or extend (default: manifests/imported.yaml)
  --photo-dir DIR           Folder under photos/ (default: imported)
  --force                   Replace photos of users already declared (adding name: to their
                            entry when it has none), and existing files
  --dry-run                 Report only; write nothing
  --format text|json
Exit status: 0 every row imported, 1 some rows need attention (see the report), 2 usage error.
`;

export async function importCommand(args: string[], out: Output): Promise<number> {
  if (wantsHelp(args)) {
    out.write(IMPORT_USAGE);
    return 0;
  }
  const values = parseOptions(
    args,
    {
      repo: { type: 'string' },
      pspa: { type: 'string' },
      csv: { type: 'string' },
      'id-column': { type: 'string' },
      'file-column': { type: 'string' },
      roster: { type: 'string' },
      crop: { type: 'string' },
      key: { type: 'string' },
      manifest: { type: 'string' },
      'photo-dir': { type: 'string' },
      force: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      format: { type: 'string' },
      ...TENANT_OPTIONS,
    },
    IMPORT_USAGE,
  );
  const format = readFormat(values.format);
  if ((values.pspa === undefined) === (values.csv === undefined)) throw new UserError('usage', `import needs exactly one of --pspa DIR (a PSPA delivery with INDEX.TXT) or --csv FILE (id,file).\n\n${IMPORT_USAGE}`);
  const crop = values.crop === 'center' ? 'centre' : (values.crop ?? 'centre');
  if (crop !== 'centre' && crop !== 'attention') throw new UserError('usage', `--crop must be centre or attention, not "${values.crop}".`);
  const key = values.key ?? 'upn';
  if (key !== 'upn' && key !== 'employeeId') throw new UserError('usage', `--key must be upn or employeeId, not "${key}".`);
  const repo = await repoDirectory(values.repo);
  const tenant = values.roster ? undefined : tenantFromArgs('import (without --roster)', values);
  const result = await importDelivery(
    {
      repo,
      source: values.pspa !== undefined
        ? { kind: 'pspa', dir: path.resolve(values.pspa), ...(values['id-column'] ? { idColumn: values['id-column'] } : {}) }
        : { kind: 'csv', file: path.resolve(values.csv!), ...(values['id-column'] ? { idColumn: values['id-column'] } : {}), ...(values['file-column'] ? { fileColumn: values['file-column'] } : {}) },
      ...(values.roster ? { roster: path.resolve(values.roster) } : {}),
      crop,
      key,
      ...(values.manifest ? { manifest: values.manifest } : {}),
      ...(values['photo-dir'] ? { photoDir: values['photo-dir'] } : {}),
      force: values.force ?? false,
      dryRun: values['dry-run'] ?? false,
      log: format === 'text' ? (line) => out.write(`${line}\n`) : () => {},
    },
    tenant,
  );
  out.write(format === 'json' ? logSafeJson(importJson(result), 2) + '\n' : importText(result));
  return importClean(result) ? 0 : 1;
}
