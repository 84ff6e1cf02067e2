/** Why bytes from another member were not a cluster message; `code` is stable for logs and metrics. */
export type ClusterMessageErrorCode =
  | 'empty'
  | 'unsupported-version'
  | 'unknown-kind'
  /** Truncated, a length beyond the input, an out-of-range number, an empty update. */
  | 'malformed'
  | 'trailing-bytes';

export class ClusterMessageError extends Error {
  readonly code: ClusterMessageErrorCode;

  constructor(code: ClusterMessageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClusterMessageError';
    this.code = code;
  }
}
