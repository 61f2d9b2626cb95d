/**
 * Errors the user can act on. Every surface prints `message` as is (no stack trace); code
 * branches on `kind`. Anything that is not a UserError is a bug and is reported as internal.
 */
export type UserErrorKind = 'usage' | 'config' | 'guard' | 'git' | 'auth' | 'tenant';

export class UserError extends Error {
  constructor(
    readonly kind: UserErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
