import { fullClock } from '@geokv/vector-clock';
import { applyLocalWrite } from './local-write';
import { mergeReplicaStates } from './merge-replica-states';
import { fillPayloads } from './replica-payloads';
import type { StoredVersion } from './stored-version';
import { at, coordinator, localWrite, tombstone, valuesOf } from './versions.fixtures';

const base = applyLocalWrite([], localWrite('base'), coordinator('us-east/n1', 'siblings'), at(1_000)).written;
const newer = applyLocalWrite([base], localWrite('newer', fullClock(base)), coordinator('us-east/n2', 'siblings'), at(2_000)).written;
const rival = applyLocalWrite([base], localWrite('rival', fullClock(base)), coordinator('us-east/n3', 'siblings'), at(3_000)).written;
const deleted = applyLocalWrite([base], tombstone(fullClock(base)), coordinator('us-east/n2', 'siblings'), at(4_000)).written;

/** What a replica sends for a digest read: its versions without their values. */
function digest(versions: readonly StoredVersion[]): StoredVersion[] {
  return versions.map((version) => ({ ...version, value: null }));
}

describe('fillPayloads', () => {
  it('gives a digest-only version the value a full answer carried for the same dot', () => {
    const states = [
      { node: 'n1', versions: [newer] },
      { node: 'n2', versions: digest([newer]) },
    ];
    // The digest comes first, so the merge keeps its copy (without a value) of the shared dot.
    const merged = mergeReplicaStates([states[1].versions, states[0].versions], 'siblings');
    const filled = fillPayloads(merged, states);
    expect('versions' in filled && valuesOf(filled.versions)).toEqual(['newer']);
  });

  it('names the replica to ask for values when only its digest holds a version of the merge', () => {
    const states = [
      { node: 'n1', versions: [base] },
      { node: 'n2', versions: digest([newer]) },
      { node: 'n3', versions: digest([base]) },
    ];
    const merged = mergeReplicaStates(states.map((state) => state.versions), 'siblings');
    expect(fillPayloads(merged, states)).toEqual({ askValuesOf: 'n2' });
    // Asked again with values, n2's answer completes the merge.
    const refetched = [states[0], { node: 'n2', versions: [newer] }, states[2]];
    const filled = fillPayloads(mergeReplicaStates(refetched.map((state) => state.versions), 'siblings'), refetched);
    expect('versions' in filled && valuesOf(filled.versions)).toEqual(['newer']);
  });

  it('needs no value for a tombstone, and keeps every sibling', () => {
    const states = [
      { node: 'n1', versions: [rival] },
      { node: 'n2', versions: digest([deleted, rival]) },
    ];
    const merged = mergeReplicaStates(states.map((state) => state.versions), 'siblings');
    const filled = fillPayloads(merged, states);
    if (!('versions' in filled)) throw new Error(`expected every value, got ${JSON.stringify(filled)}`);
    expect(filled.versions.filter((version) => version.tombstone)).toHaveLength(1);
    expect(filled.versions.filter((version) => !version.tombstone).map((version) => version.value?.toString())).toEqual(['rival']);
  });
});
