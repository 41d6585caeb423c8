import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';

/** A JSON object request body (empty means `{}`), or 400 MALFORMED_JSON saying what is wrong. */
export function parseJsonObject(body: Buffer | undefined): object {
  if (body === undefined || body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ApiError(ErrorCode.MalformedJson, `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError(ErrorCode.MalformedJson, 'the body must be a JSON object');
  }
  return parsed;
}
