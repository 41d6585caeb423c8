import { ErrorCode } from '@geokv/protocol';
import { encodeContext } from '@geokv/vector-clock';
import type { ApiError } from '../errors/api-error';
import { consistencyOf, contentTypeOf, contextOf, preconditionsOf, ttlOf } from './kv-headers';

function failure(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return (error as ApiError).code;
  }
}

describe('request headers', () => {
  it('reads X-TTL as whole seconds within ten years', () => {
    expect(ttlOf({})).toBeUndefined();
    expect(ttlOf({ 'x-ttl': '60' })).toBe(60);
    for (const bad of ['0', '-1', '1.5', 'abc', '', '315360001', '99999999999']) {
      expect(failure(() => ttlOf({ 'x-ttl': bad }))).toBe(ErrorCode.InvalidHeader);
    }
    expect(failure(() => ttlOf({ 'x-ttl': ['1', '2'] }))).toBe(ErrorCode.InvalidHeader);
  });

  it('accepts only context tokens this service issues', () => {
    const token = encodeContext({ 'us-east/n1': 3 });
    expect(contextOf({ 'x-causal-context': token })).toBe(token);
    for (const bad of ['', 'zzz!', 'AQ', `${token}A`]) {
      expect(failure(() => contextOf({ 'x-causal-context': bad }))).toBe(ErrorCode.MalformedContext);
    }
  });

  it('reads X-Consistency', () => {
    expect(consistencyOf({})).toBe('eventual');
    expect(consistencyOf({ 'x-consistency': 'strong' })).toBe('strong');
    expect(failure(() => consistencyOf({ 'x-consistency': 'linearizable' }))).toBe(ErrorCode.InvalidHeader);
  });

  it('defaults the content type and refuses unprintable ones', () => {
    expect(contentTypeOf({})).toBe('application/octet-stream');
    expect(contentTypeOf({ 'content-type': 'text/plain; charset=utf-8' })).toBe('text/plain; charset=utf-8');
    expect(failure(() => contentTypeOf({ 'content-type': 'text/\u0001' }))).toBe(ErrorCode.InvalidHeader);
  });

  it('parses If-Match lists and If-None-Match: *', () => {
    expect(preconditionsOf({ 'if-match': '"a", "b"' })).toEqual({ ifMatch: ['a', 'b'] });
    expect(preconditionsOf({ 'if-match': '*' })).toEqual({ ifMatch: ['*'] });
    expect(preconditionsOf({ 'if-none-match': '*' })).toEqual({ ifNoneMatch: true });
    expect(failure(() => preconditionsOf({ 'if-none-match': '"a"' }))).toBe(ErrorCode.InvalidHeader);
    expect(failure(() => preconditionsOf({ 'if-match': 'a' }))).toBe(ErrorCode.InvalidHeader);
  });
});
