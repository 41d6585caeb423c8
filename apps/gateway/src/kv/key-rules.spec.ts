import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import { assertValidKey } from './key-rules';

function codeOf(key: string): string | null {
  try {
    assertValidKey(key);
    return null;
  } catch (error) {
    return (error as ApiError).code;
  }
}

describe('assertValidKey', () => {
  it('accepts 1 to 1024 bytes of UTF-8, slashes and non-ASCII included', () => {
    expect(codeOf('a')).toBeNull();
    expect(codeOf('users/42/profile')).toBeNull();
    expect(codeOf('ключ-🔑')).toBeNull();
    expect(codeOf('x'.repeat(1024))).toBeNull();
    expect(codeOf('é'.repeat(512))).toBeNull();
  });

  it('rejects empty keys, keys over 1024 bytes (counted in UTF-8) and control characters', () => {
    expect(codeOf('')).toBe(ErrorCode.InvalidKey);
    expect(codeOf('x'.repeat(1025))).toBe(ErrorCode.InvalidKey);
    expect(codeOf('é'.repeat(513))).toBe(ErrorCode.InvalidKey);
    expect(codeOf('a\u0000b')).toBe(ErrorCode.InvalidKey);
    expect(codeOf('a\nb')).toBe(ErrorCode.InvalidKey);
    expect(codeOf('a\u007fb')).toBe(ErrorCode.InvalidKey);
    expect(codeOf('a\u0085b')).toBe(ErrorCode.InvalidKey);
    expect(codeOf('a\ud800b')).toBe(ErrorCode.InvalidKey);
  });
});
