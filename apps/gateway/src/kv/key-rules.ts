import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';

export const MAX_KEY_BYTES = 1024;
// C0 and C1 control characters and DEL: invisible in logs and UIs, and a classic injection vector.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Keys are 1 to 1024 bytes of well-formed UTF-8 without control characters. Throws INVALID_KEY. */
export function assertValidKey(key: string, what = 'key'): void {
  if (key.length === 0) throw new ApiError(ErrorCode.InvalidKey, `${what} must not be empty`);
  if (!key.isWellFormed()) throw new ApiError(ErrorCode.InvalidKey, `${what} must be well-formed UTF-8`);
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new ApiError(ErrorCode.InvalidKey, `${what} is ${bytes} bytes; the limit is ${MAX_KEY_BYTES} bytes of UTF-8`);
  }
  if (CONTROL_CHARACTERS.test(key)) throw new ApiError(ErrorCode.InvalidKey, `${what} must not contain control characters`);
}
