import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import { parseJsonObject } from '../http/parse-json-object';
import { validatedBody } from '../http/validated-body';
import { assertValidKey } from '../kv/key-rules';
import { ResolutionBody } from './resolution.body';

export interface Resolution {
  readonly keyspace: string;
  readonly key: string;
  readonly value: Buffer;
  readonly contentType: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A resolution request, validated, with its value decoded; 400 or 413 saying what is wrong. */
export function parseResolution(body: Buffer | undefined, maxValueBytes: number): Resolution {
  const input = validatedBody(ResolutionBody, parseJsonObject(body), ErrorCode.BadRequest);
  assertValidKey(input.key);
  if (input.encoding === 'base64' && (input.value.length % 4 !== 0 || !BASE64.test(input.value))) {
    throw new ApiError(ErrorCode.BadRequest, 'value is not valid base64');
  }
  const value = Buffer.from(input.value, input.encoding ?? 'utf8');
  if (value.length > maxValueBytes) {
    throw new ApiError(ErrorCode.ValueTooLarge, `the value is ${value.length} bytes; the limit is ${maxValueBytes}`);
  }
  return { keyspace: input.keyspace, key: input.key, value, contentType: input.contentType ?? 'application/octet-stream' };
}
