/**
 * Why a request or upgrade was refused, with its HTTP status and a stable code for the JSON body
 * and the log line. Messages never contain the token.
 */
export type AuthErrorCode =
  | 'missing-token'
  | 'invalid-token'
  | 'expired-token'
  | 'revoked-token'
  | 'forbidden'
  | 'not-admin'
  | 'origin-not-allowed'
  | 'auth-unavailable';

const STATUS: Record<AuthErrorCode, number> = {
  'missing-token': 401,
  'invalid-token': 401,
  'expired-token': 401,
  'revoked-token': 401,
  forbidden: 403,
  'not-admin': 403,
  'origin-not-allowed': 403,
  'auth-unavailable': 503,
};

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly status: number;

  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
    this.status = STATUS[code];
  }
}
