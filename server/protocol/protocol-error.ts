import { CloseCode, type CloseCodeValue } from '../../shared/protocol.js';

/** Why a frame was refused; `code` is stable for logs, `closeCode` is what the socket is closed with. */
export type ProtocolErrorCode =
  | 'empty-message'
  | 'unknown-message-type'
  | 'malformed-message'
  | 'empty-update'
  | 'trailing-bytes'
  | 'state-vector-too-large'
  | 'too-deeply-nested'
  | 'read-only'
  | 'server-only-message';

const CLOSE_CODES: Record<ProtocolErrorCode, CloseCodeValue> = {
  'empty-message': CloseCode.invalidData,
  'unknown-message-type': CloseCode.unsupportedData,
  'malformed-message': CloseCode.invalidData,
  'empty-update': CloseCode.invalidData,
  'trailing-bytes': CloseCode.invalidData,
  'state-vector-too-large': CloseCode.messageTooBig,
  'too-deeply-nested': CloseCode.invalidData,
  'read-only': CloseCode.policyViolation,
  'server-only-message': CloseCode.protocolError,
};

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly closeCode: CloseCodeValue;

  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProtocolError';
    this.code = code;
    this.closeCode = CLOSE_CODES[code];
  }
}
