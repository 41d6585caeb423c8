import type { StrongValue } from '@geokv/protocol';
import { isGarbageValue } from './garbage-value';

const value = (fields: Partial<StrongValue> = {}): StrongValue => ({
  value: Buffer.from('v'),
  contentType: 'text/plain',
  etag: 'e',
  tombstone: false,
  version: 1,
  recentOps: ['e'],
  lastModifiedMs: 1_000,
  expiresAtMs: null,
  originRegion: 'us-east',
  ...fields,
});

describe('isGarbageValue', () => {
  it('collects an empty register, a tombstone and a value expired before the cut-off', () => {
    expect(isGarbageValue(null, 5_000)).toBe(true);
    expect(isGarbageValue(value({ tombstone: true, value: Buffer.alloc(0) }), 5_000)).toBe(true);
    expect(isGarbageValue(value({ expiresAtMs: 4_999 }), 5_000)).toBe(true);
  });

  it('keeps a live value, and one that expired too lately for every gateway to agree', () => {
    expect(isGarbageValue(value(), 5_000)).toBe(false);
    expect(isGarbageValue(value({ expiresAtMs: 5_000 }), 5_000)).toBe(false);
    expect(isGarbageValue(value({ expiresAtMs: 90_000 }), 5_000)).toBe(false);
  });
});
