import { ErrorCode } from '@geokv/protocol';

/** A failure the client is told about: a code from @geokv/protocol and a message that says what to fix. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers, e.g. `Allow` on a 405 or `X-Causal-Context` on a 404 of a deleted key. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: ErrorCode, message: string): ApiError => new ApiError(code, message);
