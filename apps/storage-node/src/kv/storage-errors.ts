import { ErrorCode } from '@geokv/protocol';

/** A typed failure that crosses the transport with its code; the gateway maps the code to an HTTP status. */
export class StorageError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export const storageUnavailable = (cause: unknown): StorageError =>
  new StorageError(
    ErrorCode.StorageUnavailable,
    `the shard's database did not commit the write (${(cause as Error).message ?? 'unknown error'}); it may or may not have been applied`,
  );
