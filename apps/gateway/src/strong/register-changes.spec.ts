import { STRONG_RECENT_OPS, type StrongValue } from '@geokv/protocol';
import { deleteRegister, readRegister, recogniseOperation, roundChange, writeRegister, type NewValue } from './register-changes';

const NOW = 1_000_000;
const fresh = (etag: string, expiresAtMs: number | null = null): NewValue => ({
  value: Buffer.from(etag),
  contentType: 'text/plain',
  etag,
  lastModifiedMs: NOW - 10,
  expiresAtMs,
  originRegion: 'us-east',
});
const stored = (etag: string, expiresAtMs: number | null = null, recentOps: string[] = [etag]): StrongValue => ({
  ...fresh(etag, expiresAtMs),
  tombstone: false,
  version: recentOps.length,
  recentOps,
});
const tombstone = (etag: string): NewValue => ({ ...fresh(etag), value: Buffer.alloc(0), contentType: '' });

describe('register changes', () => {
  it('reads the live value and leaves the register as it is (same reference)', () => {
    const current = stored('a');
    const outcome = readRegister(NOW)(current);
    expect(outcome.result).toEqual({ kind: 'found', value: current });
    expect(outcome.next).toBe(current);
    expect(readRegister(NOW)(null).result).toEqual({ kind: 'absent' });
  });

  it('reads an expired value or a tombstone as absent', () => {
    expect(readRegister(NOW)(stored('a', NOW)).result).toEqual({ kind: 'absent' });
    expect(readRegister(NOW)(stored('a', NOW + 1)).result.kind).toBe('found');
    expect(readRegister(NOW)({ ...stored('a'), tombstone: true }).result).toEqual({ kind: 'absent' });
  });

  it('writes unconditionally, extending the lineage with its own id', () => {
    const outcome = writeRegister(fresh('b'), {}, NOW)(stored('a'));
    expect(outcome).toEqual({ next: { ...fresh('b'), tombstone: false, version: 2, recentOps: ['a', 'b'] }, result: { kind: 'written', etag: 'b' } });
  });

  it('compare-and-sets on If-Match and If-None-Match: *', () => {
    expect(writeRegister(fresh('b'), { ifMatch: ['a'] }, NOW)(stored('a')).result.kind).toBe('written');
    expect(writeRegister(fresh('b'), { ifMatch: ['*'] }, NOW)(stored('a')).result.kind).toBe('written');
    expect(writeRegister(fresh('b'), { ifNoneMatch: true }, NOW)(null).result.kind).toBe('written');
    expect(writeRegister(fresh('b'), { ifNoneMatch: true }, NOW)(stored('a', NOW - 1)).result.kind).toBe('written');
    expect(writeRegister(fresh('b'), { ifNoneMatch: true }, NOW)({ ...stored('a'), tombstone: true }).result.kind).toBe('written');
  });

  it('fails a precondition without changing anything', () => {
    const current = stored('a');
    for (const preconditions of [{ ifMatch: ['x'] }, { ifNoneMatch: true as const }]) {
      const outcome = writeRegister(fresh('b'), preconditions, NOW)(current);
      expect(outcome.next).toBe(current);
      expect(outcome.result.kind).toBe('precondition-failed');
    }
    expect(writeRegister(fresh('b'), { ifMatch: ['*'] }, NOW)(null).result.kind).toBe('precondition-failed');
    expect(deleteRegister(tombstone('d'), { ifMatch: ['x'] }, NOW)(current).next).toBe(current);
  });

  it('deletes by leaving a tombstone, and a delete of nothing changes nothing', () => {
    expect(deleteRegister(tombstone('d'), {}, NOW)(stored('a')).next).toEqual({ ...tombstone('d'), tombstone: true, version: 2, recentOps: ['a', 'd'] });
    expect(deleteRegister(tombstone('d'), {}, NOW)(null).next).toBeNull();
    const dead = { ...stored('a'), tombstone: true };
    expect(deleteRegister(tombstone('d'), {}, NOW)(dead).next).toBe(dead);
  });

  it('keeps only the latest ids, and recognises an operation by them', () => {
    const full = Array.from({ length: STRONG_RECENT_OPS }, (_, i) => `op${i}`);
    const next = writeRegister(fresh('new'), {}, NOW)(stored('old', null, full)).next!;
    expect(next.recentOps).toHaveLength(STRONG_RECENT_OPS);
    expect(next.recentOps.at(-1)).toBe('new');
    expect(next.version).toBe(STRONG_RECENT_OPS + 1);
    expect(recogniseOperation('new')(next, [next])).toBe('own');
    expect(recogniseOperation('other')(null, [stored('x')])).toBe('absent');
  });

  it('knows a write was never chosen while the remembered window reaches back to its version', () => {
    // This operation wrote version 31 (on top of version 30); the key is now at version 40 by others.
    const mine = { ...stored('mine'), version: 31 };
    const lineage = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `op${from + i}`);
    const at40 = (window: string[]): StrongValue => ({ ...stored('op40', null, window), version: 40 });
    expect(recogniseOperation('mine')(at40(lineage(9, 40)), [mine])).toBe('absent');
    expect(recogniseOperation('mine')(at40([...lineage(9, 30), 'mine', ...lineage(32, 40)]), [mine])).toBe('own');
    // Window 32..40 does not reach version 31: it cannot tell.
    expect(recogniseOperation('mine')(at40(lineage(32, 40)), [mine])).toBe('unknown');
    // A later attempt that wrote a lower version (its prepare revealed an older value) counts too.
    expect(recogniseOperation('mine')(at40(lineage(32, 40)), [mine, { ...mine, version: 33 }])).toBe('unknown');
    expect(recogniseOperation('mine')(at40(lineage(31, 40)), [mine, { ...mine, version: 35 }])).toBe('absent');
  });

  it('counts a round of several writes as one version under the round id, keeping the last write', () => {
    const current = { ...stored('op30'), version: 30 };
    const round = roundChange([writeRegister(fresh('a'), {}, NOW), readRegister(NOW), deleteRegister(tombstone('d'), { ifMatch: ['a'] }, NOW)], 'round');
    const { next, result } = round(current);
    expect(next).toMatchObject({ etag: 'd', tombstone: true, version: 31, recentOps: ['op30', 'round'] });
    expect(result.map((answer) => answer.kind)).toEqual(['written', 'found', 'deleted']);
    expect(recogniseOperation('round')(next, [next!])).toBe('own');
    // A round that changes nothing returns the value it was given.
    expect(roundChange([readRegister(NOW), writeRegister(fresh('b'), { ifMatch: ['x'] }, NOW)], 'round')(current).next).toBe(current);
  });
});
