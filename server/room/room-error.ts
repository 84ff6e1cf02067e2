/** Errors rooms and leases report to server code, with a stable `code`. */
export type RoomErrorCode = 'lease-released' | 'document-closed' | 'server-closing' | 'document-deleting';

export class RoomError extends Error {
  readonly code: RoomErrorCode;

  constructor(code: RoomErrorCode, message: string) {
    super(message);
    this.name = 'RoomError';
    this.code = code;
  }
}
