import { ErrorCode } from '@geokv/protocol';
import type { ApiError } from '../errors/api-error';
import { parseKeyspacePolicy } from './parse-keyspace-policy';

const body = (json: string) => Buffer.from(json);

function failure(name: string, json: string): string | null {
  try {
    parseKeyspacePolicy(name, body(json));
    return null;
  } catch (error) {
    return (error as ApiError).code;
  }
}

describe('parseKeyspacePolicy', () => {
  it('fills omitted fields with the documented defaults', () => {
    expect(parseKeyspacePolicy('carts', body('{"conflictResolution":"siblings"}'))).toEqual({
      name: 'carts',
      consistency: 'eventual',
      conflictResolution: 'siblings',
      defaultTtlSeconds: null,
      replicationFactor: 3,
      readQuorum: 2,
      writeQuorum: 2,
    });
    expect(parseKeyspacePolicy('single', body('{"replicationFactor":1}'))).toMatchObject({ replicationFactor: 1, readQuorum: 1, writeQuorum: 1 });
    expect(parseKeyspacePolicy('wide', body('{"replicationFactor":5}'))).toMatchObject({ replicationFactor: 5, readQuorum: 3, writeQuorum: 3 });
    expect(parseKeyspacePolicy('sessions', undefined).conflictResolution).toBe('lww');
  });

  it('rejects malformed JSON, unknown fields, bad values and bad names', () => {
    expect(failure('a', '{')).toBe(ErrorCode.MalformedJson);
    expect(failure('a', '[]')).toBe(ErrorCode.MalformedJson);
    expect(failure('a', '{"colour":"red"}')).toBe(ErrorCode.InvalidKeyspacePolicy);
    // Names class-transformer drops before validation: once taken as an empty body, i.e. every default.
    expect(failure('a', '{"__proto__":{"replicationFactor":1}}')).toBe(ErrorCode.InvalidKeyspacePolicy);
    expect(failure('a', '{"constructor":{"prototype":{}}}')).toBe(ErrorCode.InvalidKeyspacePolicy);
    expect(failure('a', '{"conflictResolution":"newest"}')).toBe(ErrorCode.InvalidKeyspacePolicy);
    expect(failure('a', '{"defaultTtlSeconds":0}')).toBe(ErrorCode.InvalidKeyspacePolicy);
    expect(failure('a', '{"defaultTtlSeconds":"60"}')).toBe(ErrorCode.InvalidKeyspacePolicy);
    expect(failure('Bad Name', '{}')).toBe(ErrorCode.InvalidKeyspacePolicy);
    expect(failure('a:b', '{}')).toBe(ErrorCode.InvalidKeyspacePolicy);
  });

  it('takes a strong keyspace, and refuses replication or conflict fields that would not apply to it', () => {
    expect(parseKeyspacePolicy('a', Buffer.from('{"consistency":"strong","defaultTtlSeconds":60}'))).toMatchObject({ consistency: 'strong', defaultTtlSeconds: 60 });
    for (const field of ['"conflictResolution":"siblings"', '"replicationFactor":1', '"readQuorum":1', '"writeQuorum":1']) {
      expect(failure('a', `{"consistency":"strong",${field}}`)).toBe(ErrorCode.InvalidKeyspacePolicy);
    }
  });

  it('refuses quorums larger than the replication factor', () => {
    expect(failure('a', '{"replicationFactor":1,"readQuorum":2}')).toBe(ErrorCode.InvalidKeyspacePolicy);
    expect(failure('a', '{"replicationFactor":3,"writeQuorum":4}')).toBe(ErrorCode.InvalidKeyspacePolicy);
  });
});
