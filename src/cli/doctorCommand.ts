/** `entra-photos doctor`: the CLI's edge of src/doctor/doctor.ts (checks a setup, writes nothing). */
import { CLI_VOCABULARY } from '../core/vocabulary.js';
import { DEFAULT_OIDC_AUDIENCE } from '../target/entra/index.js';
import { parseAuthKind } from '../target/entra/userAuth.js';
import { diagnose, doctorText } from '../doctor/doctor.js';
import type { Output } from './output.js';
import { parseOptions, repoDirectory, wantsHelp } from './args.js';
import { interruptible, TARGET_OPTIONS, TENANT_OPTIONS, targetFromArgs, tenantFromArgs } from './tenantArgs.js';
import type { PhotoTarget } from '../target/port.js';

export const DOCTOR_USAGE = `Usage: entra-photos doctor [options]   (tenant options as for apply)

Checks the setup without writing anything: sign-in (for GitHub OIDC, the subject and audience the
token presents), the Graph permissions the app has (by harmless reads), whether every manifest key
resolves to a user, the tenant's photo policy and whether it lets this app write photos, whether
the repository is private (only inside GitHub Actions), and whether .github/workflows grant what
each mode needs (apply and drift need "permissions: id-token: write").

  --repo DIR                Repository (default: current directory)
  --tenant-id ID  --client-id ID  --cloud NAME  --authority-host URL  --graph-url URL
  --auth KIND  --audience AUD
  --google-workload-identity-provider …  --google-service-account …  (as for apply; checked
                            when the manifests declare targets: [.., google])
Exit status: 0 ready, 1 problems found (a numbered list, fix them in order), 2 usage error.
`;

export async function doctorCommand(args: string[], out: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (wantsHelp(args)) {
    out.write(DOCTOR_USAGE);
    return 0;
  }
  const values = parseOptions(args, { repo: { type: 'string' }, ...TENANT_OPTIONS, ...TARGET_OPTIONS }, DOCTOR_USAGE);
  const repo = await repoDirectory(values.repo);
  const tenant = tenantFromArgs('doctor', values, env);
  const inActions = env.GITHUB_ACTIONS === 'true' || Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  const auth = parseAuthKind(values.auth ?? env.ENTRA_PHOTOS_AUTH) ?? (inActions ? 'github-oidc' : undefined);
  const report = await interruptible(() =>
    diagnose({ repo, tenant, env, words: CLI_VOCABULARY, google: () => targetFromArgs('doctor', { ...values, target: 'google' }, env) as PhotoTarget, ...(auth === 'github-oidc' ? { githubOidc: { audience: values.audience ?? DEFAULT_OIDC_AUDIENCE } } : auth ? { authLabel: auth } : {}) }),
  );
  out.write(doctorText(report));
  return report.problems.length === 0 ? 0 : 1;
}
