/**
 * Signing in as an admin (delegated) outside GitHub Actions, with the credentials admins already
 * have, through @azure/identity only (no OAuth here):
 *   azure-cli   — AzureCliCredential: the token of `az login` (`az account get-access-token`)
 *   device-code — DeviceCodeCredential: prints a code and a URL; sign in on any device
 *   browser     — InteractiveBrowserCredential: opens the system browser (loopback redirect)
 *   auto        — the Azure CLI when it is signed in, else device code; says which it used
 * Graph then acts as the signed-in admin: what a call may do is what both the delegated permission
 * and the admin's directory roles allow (docs/setup.md "Sign in from a laptop").
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import { release } from 'node:os';
import path from 'node:path';
import { AzureCliCredential, CredentialUnavailableError, DeviceCodeCredential, InteractiveBrowserCredential } from '@azure/identity';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { UserError } from '../../core/errors.js';
import { describeAuthError } from './auth.js';
import { isMicrosoftAuthorityHost } from './clouds.js';

export const AUTH_KINDS = ['github-oidc', 'azure-cli', 'device-code', 'browser'] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];
export type UserAuthKind = 'azure-cli' | 'device-code' | 'browser' | 'auto';

export interface UserCredentialOptions {
  kind: UserAuthKind;
  tenantId: string;
  /** The app registration to sign in through (device-code, browser): a public client with delegated permissions. */
  clientId?: string;
  /** e.g. https://login.microsoftonline.com (cloudEndpoints().authorityHost). */
  authorityHost: string;
  /** Where sign-in messages go (the device code and URL, which method was used). */
  say: (line: string) => void;
  /** For tests: the environment and platform the browser opener is looked up in (default: this process's). */
  browserHost?: { env: NodeJS.ProcessEnv; platform: NodeJS.Platform; wsl: boolean };
  /**
   * Runs the first interactive sign-in (browser or device code), which nothing can cancel from
   * outside: the edge that owns the process wraps it (the CLI ends the command on Ctrl-C there).
   * Default: runs it as it is.
   */
  whileWaiting?: <T>(signIn: () => Promise<T>) => Promise<T>;
}

/** The errors Entra shows on its own page, never redirecting back (the CLI cannot see them), and what to do. */
const BROWSER_PAGE_ERRORS = 'AADSTS50011: add the redirect URI http://localhost under "Mobile and desktop applications"; AADSTS700016: check --client-id';

const DEFAULT_BROWSER_REMINDER_MS = 60_000;

/** How long the browser sign-in waits before the reminder: 60 s, or ENTRA_PHOTOS_BROWSER_REMINDER_SECONDS (tests shorten it). */
function browserReminderMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env['ENTRA_PHOTOS_BROWSER_REMINDER_SECONDS']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_BROWSER_REMINDER_MS;
}

/** `--auth` → a kind; undefined when not given (the default depends on where the CLI runs). */
export function parseAuthKind(value: string | undefined): AuthKind | undefined {
  if (value === undefined) return undefined;
  const kind = value.trim().toLowerCase();
  if ((AUTH_KINDS as readonly string[]).includes(kind)) return kind as AuthKind;
  throw new UserError('usage', `--auth is "${value}"; write one of ${AUTH_KINDS.join(', ')}.`);
}

/** A delegated credential whose failures are UserErrors saying what to do. */
export function createUserCredential(options: UserCredentialOptions): TokenCredential {
  const authorityHost = options.authorityHost.replace(/\/+$/, '');
  const context = { tenantId: options.tenantId, clientId: options.clientId ?? '(none)', authorityHost };
  const azureCli = (): TokenCredential => new AzureCliCredential({ tenantId: options.tenantId });
  const interactive = (kind: 'device-code' | 'browser'): TokenCredential => {
    if (!options.clientId) {
      throw new UserError('usage', `--auth ${kind} needs --client-id (or ENTRA_PHOTOS_CLIENT_ID): the app registration to sign in through, with "Allow public client flows" on and the delegated permissions of docs/setup.md.`);
    }
    const common = {
      tenantId: options.tenantId,
      clientId: options.clientId,
      authorityHost,
      // MSAL would ask login.microsoftonline.com to validate any other authority (the emulator).
      disableInstanceDiscovery: !isMicrosoftAuthorityHost(authorityHost),
    };
    if (kind === 'device-code') return new DeviceCodeCredential({ ...common, userPromptCallback: (info) => options.say(info.message) });
    refuseWithoutBrowserOpener(options.browserHost ?? { env: process.env, platform: process.platform, wsl: /microsoft/i.test(release()) });
    // The CLI cannot see the page: Entra shows some errors there without ever redirecting back.
    options.say(
      `Signing in with the browser: a sign-in page opens in your default browser; finish there. If it shows an error instead (${BROWSER_PAGE_ERRORS}), press Ctrl-C and fix it (docs/setup.md, "Sign in from a laptop"). Without a browser on this machine, use --auth device-code.`,
    );
    return new InteractiveBrowserCredential({ ...common, redirectUri: 'http://localhost' });
  };

  let chosen: { kind: Exclude<UserAuthKind, 'auto'>; credential: TokenCredential } | undefined;
  const attempt = async (kind: Exclude<UserAuthKind, 'auto'>, credential: TokenCredential, scopes: string | string[], getTokenOptions?: GetTokenOptions): Promise<AccessToken> => {
    const signIn = () => credential.getToken(scopes, getTokenOptions);
    // The first sign-in comes before the command's first tenant call; a later one (the silent
    // refresh failed) may come mid-run, where the command's own Ctrl-C handling must stay in charge.
    const firstSignIn = !chosen && kind !== 'azure-cli';
    const token = firstSignIn ? await (options.whileWaiting ?? runAsIs)(() => withReminder(kind, signIn, options.say, browserReminderMs(process.env))) : await signIn();
    if (!token) throw new Error('No access token was returned.');
    if (!chosen) {
      chosen = { kind, credential };
      if (kind === 'azure-cli') options.say(`Signed in with the Azure CLI (az login) to tenant ${options.tenantId}.`);
      else options.say(`Signed in with ${kind === 'device-code' ? 'a device code' : 'the browser'} to tenant ${options.tenantId}.`);
    }
    return token;
  };
  const explain = async (kind: Exclude<UserAuthKind, 'auto'>, error: unknown): Promise<UserError> => {
    if (error instanceof UserError) return error;
    if (kind === 'azure-cli') {
      const message = error instanceof Error ? error.message : String(error);
      return new UserError('auth', `Signing in with the Azure CLI failed: ${message.split(/\r?\n/)[0]} Run "az login --tenant ${options.tenantId}" (az login --use-device-code without a browser), or use --auth device-code.`);
    }
    const message = error instanceof Error ? error.message : String(error);
    if (kind === 'browser' && /access_denied|AADSTS65004/.test(message)) {
      return new UserError(
        'auth',
        `The sign-in in the browser was declined (${message.split(/\r?\n/)[0]}). Run the command again and accept the permissions the app asks for; if your organisation does not let users consent, ask an administrator to grant admin consent for app ${context.clientId} (docs/setup.md, "Sign in from a laptop").`,
      );
    }
    return describeAuthError(error, context);
  };

  return {
    async getToken(scopes: string | string[], getTokenOptions?: GetTokenOptions): Promise<AccessToken> {
      if (chosen) {
        try {
          return await attempt(chosen.kind, chosen.credential, scopes, getTokenOptions);
        } catch (error) {
          throw await explain(chosen.kind, error);
        }
      }
      if (options.kind === 'auto') {
        try {
          return await attempt('azure-cli', azureCli(), scopes, getTokenOptions);
        } catch (error) {
          if (!(error instanceof CredentialUnavailableError)) throw await explain('azure-cli', error);
          const why = error.message.split(/\r?\n/)[0] ?? '';
          options.say(`The Azure CLI is not available or not signed in (${why.trim()}); signing in with a device code instead (--auth azure-cli or --auth device-code to choose).`);
        }
        try {
          return await attempt('device-code', interactive('device-code'), scopes, getTokenOptions);
        } catch (error) {
          throw await explain('device-code', error);
        }
      }
      const kind = options.kind;
      try {
        return await attempt(kind, kind === 'azure-cli' ? azureCli() : interactive(kind), scopes, getTokenOptions);
      } catch (error) {
        throw await explain(kind, error);
      }
    },
  };
}

const runAsIs = <T>(signIn: () => Promise<T>): Promise<T> => signIn();

/**
 * Waits for the admin to sign in. Neither wait can be stopped from outside
 * (InteractiveBrowserCredential, MSAL's acquireTokenInteractive, takes no abort signal and its
 * loopback listener keeps the process alive; the Graph token provider passes none to
 * DeviceCodeCredential): the caller's `whileWaiting` decides what Ctrl-C does meanwhile. In the
 * browser, Entra shows some errors on its page and never redirects back, so the wait would be
 * silent forever: after `reminderMs` it says again what those errors mean.
 */
async function withReminder<T>(kind: 'device-code' | 'browser', signIn: () => Promise<T>, say: (line: string) => void, reminderMs: number): Promise<T> {
  const reminder =
    kind === 'browser'
      ? setTimeout(() => {
          say(
            `Still waiting for the sign-in in the browser (${Math.round(reminderMs / 1000)} s). If the page shows an error (${BROWSER_PAGE_ERRORS}), press Ctrl-C, fix the app registration or the option, and run the command again (docs/setup.md, "Sign in from a laptop"). If you closed the page, press Ctrl-C and run the command again, or use --auth device-code.`,
          );
        }, reminderMs)
      : undefined;
  try {
    return await signIn();
  } finally {
    clearTimeout(reminder);
  }
}

/**
 * InteractiveBrowserCredential opens the sign-in page with the `open` package. On Linux that runs
 * `xdg-open` from PATH (bundled in dist/, `open` has no copy of its own script to fall back on),
 * and a missing one is an unhandled 'error' event that kills the process with a stack trace. So
 * look first, and say what to do instead. (macOS has `open`, Windows and WSL PowerShell.)
 */
function refuseWithoutBrowserOpener(host: { env: NodeJS.ProcessEnv; platform: NodeJS.Platform; wsl: boolean }): void {
  if (host.platform !== 'linux' || host.wsl) return;
  const found = (host.env['PATH'] ?? '').split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(path.join(dir, 'xdg-open'), fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) {
    throw new UserError(
      'auth',
      '--auth browser needs a browser to open: there is no xdg-open on PATH (it comes with a desktop session, package xdg-utils). On a server or over SSH, use --auth device-code (sign in on any other device), or --auth azure-cli after "az login --use-device-code".',
    );
  }
}
