/** Workflow files for the repositories doctor reads (it checks their permissions and steps). */

/** What a job that applies needs: write access for the record, and a GitHub OIDC token. */
const APPLY_PERMISSIONS = 'permissions:\n  contents: write\n  id-token: write\n';

/** A workflow that runs entra-photos in apply mode on pushes to main, with this `permissions:` block. */
export const applyWorkflow = (permissions = APPLY_PERMISSIONS) => `name: apply
on:
  push:
    branches: [main]
${permissions}jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - uses: entra-photos/entra-photos@v0
        with:
          mode: apply
`;
