import { fullClock } from '@geokv/vector-clock';
import { etagOf } from './etag';
import { preconditionFailure } from './preconditions';
import { localWrite, tombstone, writeAll } from './versions.fixtures';

describe('preconditionFailure', () => {
  const [current] = writeAll([localWrite('a')], 'siblings');
  const nowMs = 10_000;

  it('passes If-None-Match: * only when the key has no live value', () => {
    expect(preconditionFailure([], { ifNoneMatch: true }, nowMs)).toBeNull();
    expect(preconditionFailure(writeAll([localWrite('a'), tombstone()], 'lww'), { ifNoneMatch: true }, nowMs)).toBeNull();
    expect(preconditionFailure([current], { ifNoneMatch: true }, nowMs)).toMatch(/If-None-Match/);
  });

  it('passes If-Match only for the current etag or *', () => {
    expect(preconditionFailure([current], { ifMatch: [etagOf(current.dot)] }, nowMs)).toBeNull();
    expect(preconditionFailure([current], { ifMatch: ['*'] }, nowMs)).toBeNull();
    expect(preconditionFailure([current], { ifMatch: ['other'] }, nowMs)).toMatch(/another etag/);
    expect(preconditionFailure([], { ifMatch: ['*'] }, nowMs)).toMatch(/no value/);
  });

  it('fails If-Match while the key has siblings', () => {
    const siblings = writeAll([localWrite('x', fullClock(current)), localWrite('y', fullClock(current))], 'siblings', [current]);
    expect(preconditionFailure(siblings, { ifMatch: ['*'] }, nowMs)).toMatch(/siblings/);
  });

  it('treats an expired value as absent', () => {
    const expiring = { ...current, expiresAtMs: nowMs - 1 };
    expect(preconditionFailure([expiring], { ifNoneMatch: true }, nowMs)).toBeNull();
  });
});
