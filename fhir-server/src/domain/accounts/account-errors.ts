export type AccountErrorCode =
  | 'invalid-input'
  | 'weak-password'
  | 'invalid-credentials'
  | 'email-not-verified'
  | 'invalid-token'
  | 'invalid-grant'
  | 'invalid-client'
  | 'invalid-scope'
  | 'access-denied';

/**
 * A refused account or token operation. Messages are safe to show: they never say whether
 * an e-mail address has an account. The HTTP layer maps codes to statuses.
 */
export class AccountError extends Error {
  constructor(
    readonly code: AccountErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}
