import fc from 'fast-check';
import { fullClock } from '@geokv/vector-clock';
import { applyLocalWrite } from './local-write';
import { mergeReplicaStates, missingFrom, versionIdentity } from './merge-replica-states';
import type { StoredVersion } from './stored-version';
import { at, coordinator, localWrite, valuesOf } from './versions.fixtures';

const base = applyLocalWrite([], localWrite('base'), coordinator('us-east/n1', 'siblings'), at(1_000)).written;
const newer = applyLocalWrite([base], localWrite('newer', fullClock(base)), coordinator('us-east/n2', 'siblings'), at(2_000)).written;
const rival = applyLocalWrite([base], localWrite('rival', fullClock(base)), coordinator('us-east/n3', 'siblings'), at(3_000)).written;

describe('mergeReplicaStates', () => {
  it('takes the newest version when one replica is behind', () => {
    expect(valuesOf(mergeReplicaStates([[base], [newer], []], 'siblings'))).toEqual(['newer']);
  });

  it('keeps concurrent versions as siblings, or the lww winner', () => {
    expect(valuesOf(mergeReplicaStates([[newer], [rival]], 'siblings'))).toEqual(['newer', 'rival']);
    expect(valuesOf(mergeReplicaStates([[newer], [rival]], 'lww'))).toEqual(['rival']);
  });

  it('does not depend on the order of the replicas or of their versions', () => {
    const states: StoredVersion[][] = [[base], [newer], [rival], [newer, rival]];
    fc.assert(
      fc.property(fc.shuffledSubarray(states, { minLength: 1 }), fc.constantFrom('lww' as const, 'siblings' as const), (subset, strategy) => {
        const forwards = mergeReplicaStates(subset, strategy).map(versionIdentity).sort();
        const backwards = mergeReplicaStates([...subset].reverse().map((state) => [...state].reverse()), strategy).map(versionIdentity).sort();
        expect(backwards).toEqual(forwards);
      }),
    );
  });

  it('names what a stale replica lacks, and nothing for one that is up to date', () => {
    const merged = mergeReplicaStates([[base], [newer]], 'siblings');
    expect(valuesOf(missingFrom([base], merged))).toEqual(['newer']);
    expect(missingFrom([newer], merged)).toEqual([]);
  });
});
