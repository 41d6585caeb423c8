import { dotId, type StoredVersion } from './stored-version';

/**
 * One replica's copy of a key, as a quorum read received it. In a digest answer every version that is not
 * a tombstone has `value: null`: the replica sent its causality and metadata only.
 */
export interface ReplicaState {
  readonly node: string;
  readonly versions: readonly StoredVersion[];
}

/** Either the merged versions with their values, or the replica to ask for its values first. */
export type PayloadFill = { readonly versions: StoredVersion[] } | { readonly askValuesOf: string };

/**
 * Gives each version of a merge of replica states its value, from any state that carried it: copies of one
 * dot differ in context only, never in payload, so a digest's version takes the value another replica sent
 * for the same dot. When no state carried some version's value, names a replica whose digest holds that
 * version: asking it again with values (a state with every value) settles that version, so a caller that
 * replaces one digest per round is done in at most as many rounds as there were digests.
 */
export function fillPayloads(merged: readonly StoredVersion[], states: readonly ReplicaState[]): PayloadFill {
  const values = new Map<string, Buffer>();
  for (const state of states) {
    for (const version of state.versions) if (version.value !== null) values.set(dotId(version), version.value);
  }
  const filled: StoredVersion[] = [];
  for (const version of merged) {
    if (version.tombstone || version.value !== null) {
      filled.push(version);
      continue;
    }
    const dot = dotId(version);
    const value = values.get(dot);
    if (value !== undefined) {
      filled.push({ ...version, value });
      continue;
    }
    const holder = states.find((state) => state.versions.some((held) => dotId(held) === dot));
    // Every merged version comes from some state; a holder is always found.
    return { askValuesOf: holder!.node };
  }
  return { versions: filled };
}
