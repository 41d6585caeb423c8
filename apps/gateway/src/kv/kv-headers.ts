import { ErrorCode } from '@geokv/protocol';
import { decodeContext, MalformedContextError, type VectorClock } from '@geokv/vector-clock';
import { ApiError } from '../errors/api-error';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

// Ten years: longer TTLs are almost certainly unit mistakes (milliseconds sent as seconds).
export const MAX_TTL_SECONDS = 315_360_000;
const MAX_CONTENT_TYPE_LENGTH = 255;
const CONTENT_TYPE = /^[\x20-\x7e]+$/;

function single(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) throw new ApiError(ErrorCode.InvalidHeader, `${name} must be sent once`);
  return value;
}

/** X-TTL: whole seconds, 1 to ten years; undefined when absent. */
export function ttlOf(headers: Headers): number | undefined {
  const raw = single(headers, 'x-ttl');
  if (raw === undefined) return undefined;
  if (!/^[0-9]{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_TTL_SECONDS) {
    throw new ApiError(ErrorCode.InvalidHeader, `X-TTL must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`);
  }
  return Number(raw);
}

/** X-Causal-Context, checked here so that a malformed token is a 400 and never reaches a storage node. */
export function contextOf(headers: Headers): string | undefined {
  return causalContextOf(headers)?.token;
}

/** X-Causal-Context as the client sent it and as the clock it encodes; 400 MALFORMED_CONTEXT if it is not ours. */
export function causalContextOf(headers: Headers): { token: string; clock: VectorClock } | undefined {
  const raw = single(headers, 'x-causal-context');
  if (raw === undefined) return undefined;
  try {
    return { token: raw, clock: decodeContext(raw) };
  } catch (error) {
    if (error instanceof MalformedContextError) {
      throw new ApiError(ErrorCode.MalformedContext, `X-Causal-Context is not a context this service issued: ${error.message}`);
    }
    throw error;
  }
}

/** X-Consistency: `strong` reads the merge of a majority of regions (see KvService.get). */
export function consistencyOf(headers: Headers): 'eventual' | 'strong' {
  const raw = single(headers, 'x-consistency');
  if (raw === undefined || raw === 'eventual' || raw === 'strong') return raw ?? 'eventual';
  throw new ApiError(ErrorCode.InvalidHeader, 'X-Consistency must be eventual or strong');
}

/** X-Read-Quorum / X-Write-Quorum: a whole number of replicas from 1 to 7; undefined when absent. */
export function quorumOf(headers: Headers, name: 'x-read-quorum' | 'x-write-quorum'): number | undefined {
  const raw = single(headers, name);
  if (raw === undefined) return undefined;
  if (!/^[1-7]$/.test(raw.trim())) throw new ApiError(ErrorCode.InvalidHeader, `${name} must be a whole number of replicas from 1 to 7`);
  return Number(raw.trim());
}

export function contentTypeOf(headers: Headers): string {
  const raw = single(headers, 'content-type');
  if (raw === undefined || raw === '') return 'application/octet-stream';
  if (raw.length > MAX_CONTENT_TYPE_LENGTH || !CONTENT_TYPE.test(raw)) {
    throw new ApiError(ErrorCode.InvalidHeader, `Content-Type must be printable ASCII of at most ${MAX_CONTENT_TYPE_LENGTH} characters`);
  }
  return raw;
}

export interface Preconditions {
  /** Etags (unquoted) of which the current value must be one; ['*'] means any live value. */
  readonly ifMatch?: readonly string[];
  /** If-None-Match: * — the key must have no live value. */
  readonly ifNoneMatch?: true;
}

const ETAG_LIST = /^\s*(\*|"[^"]*"(\s*,\s*"[^"]*")*)\s*$/;

export function preconditionsOf(headers: Headers): Preconditions {
  const ifMatch = single(headers, 'if-match');
  const ifNoneMatch = single(headers, 'if-none-match');
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new ApiError(ErrorCode.InvalidHeader, 'If-None-Match supports only *');
  }
  if (ifMatch !== undefined && !ETAG_LIST.test(ifMatch)) {
    throw new ApiError(ErrorCode.InvalidHeader, 'If-Match must be * or a list of quoted entity tags');
  }
  return {
    ...(ifMatch === undefined ? {} : { ifMatch: ifMatch.trim() === '*' ? ['*'] : [...ifMatch.matchAll(/"([^"]*)"/g)].map((m) => m[1]) }),
    ...(ifNoneMatch === undefined ? {} : { ifNoneMatch: true as const }),
  };
}
