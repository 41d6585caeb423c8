import type { StrongValue } from '@geokv/protocol';
import { deleteRegister, readRegister, writeRegister } from './register-changes';

const NOW = 1_000_000;
const value = (etag: string, expiresAtMs: number | null = null): StrongValue => ({
  value: Buffer.from(etag).toString('base64'),
  contentType: 'text/plain',
  etag,
  lastModifiedMs: NOW - 10,
  expiresAtMs,
  originRegion: 'us-east',
});

describe('register changes', () => {
  it('reads the live value and leaves the register as it is (same reference)', () => {
    const current = value('a');
    const outcome = readRegister(NOW)(current);
    expect(outcome.result).toEqual({ kind: 'found', value: current });
    expect(outcome.next).toBe(current);
    expect(readRegister(NOW)(null).result).toEqual({ kind: 'absent' });
  });

  it('reads an expired value as absent', () => {
    expect(readRegister(NOW)(value('a', NOW)).result).toEqual({ kind: 'absent' });
    expect(readRegister(NOW)(value('a', NOW + 1)).result.kind).toBe('found');
  });

  it('writes unconditionally, and compare-and-sets on If-Match and If-None-Match: *', () => {
    const next = value('b');
    expect(writeRegister(next, {}, NOW)(value('a'))).toEqual({ next, result: { kind: 'written', etag: 'b' } });
    expect(writeRegister(next, { ifMatch: ['a'] }, NOW)(value('a')).next).toBe(next);
    expect(writeRegister(next, { ifMatch: ['*'] }, NOW)(value('a')).next).toBe(next);
    expect(writeRegister(next, { ifNoneMatch: true }, NOW)(null).next).toBe(next);
    expect(writeRegister(next, { ifNoneMatch: true }, NOW)(value('a', NOW - 1)).next).toBe(next);
  });

  it('fails a precondition without changing anything', () => {
    const current = value('a');
    for (const preconditions of [{ ifMatch: ['x'] }, { ifNoneMatch: true as const }]) {
      const outcome = writeRegister(value('b'), preconditions, NOW)(current);
      expect(outcome.next).toBe(current);
      expect(outcome.result.kind).toBe('precondition-failed');
    }
    expect(writeRegister(value('b'), { ifMatch: ['*'] }, NOW)(null).result.kind).toBe('precondition-failed');
    expect(deleteRegister({ ifMatch: ['x'] }, NOW)(current).next).toBe(current);
  });

  it('deletes by emptying the register, and a delete of nothing changes nothing', () => {
    expect(deleteRegister({}, NOW)(value('a'))).toEqual({ next: null, result: { kind: 'deleted' } });
    expect(deleteRegister({}, NOW)(null).next).toBeNull();
  });
});
