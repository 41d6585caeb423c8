import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import { parseResolution } from './parse-resolution';

const LIMIT = 1_048_576;

function failure(json: string): string {
  try {
    parseResolution(Buffer.from(json), LIMIT);
  } catch (error) {
    if (error instanceof ApiError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('a manual conflict resolution request', () => {
  it('takes a keyspace, key and value, utf8 by default', () => {
    expect(parseResolution(Buffer.from('{"keyspace":"ks","key":"k","value":"v"}'), LIMIT)).toEqual({
      keyspace: 'ks',
      key: 'k',
      value: Buffer.from('v'),
      contentType: 'application/octet-stream',
    });
  });

  it('refuses any field it does not declare, those class-transformer never copies included', () => {
    const valid = '"keyspace":"ks","key":"k","value":"v"';
    expect(failure(`{${valid},"colour":"red"}`)).toBe(`${ErrorCode.BadRequest}: property colour should not exist`);
    expect(failure(`{${valid},"__proto__":{"keyspace":"other"}}`)).toBe(`${ErrorCode.BadRequest}: property __proto__ should not exist`);
    expect(failure(`{${valid},"constructor":{}}`)).toBe(`${ErrorCode.BadRequest}: property constructor should not exist`);
  });
});
