import type { ConflictResolution } from '@geokv/protocol';
import type { HlcTimestamp } from '@geokv/vector-clock';
import { applyLocalWrite, type LocalWrite } from './local-write';
import type { StoredVersion } from './stored-version';

/** Builders shared by the merge specs: plain data, no framework. */
export function localWrite(value: string, context: LocalWrite['context'] = null): LocalWrite {
  return { tombstone: false, value: Buffer.from(value), contentType: 'text/plain', context, expiresAtMs: null };
}

export function tombstone(context: LocalWrite['context'] = null): LocalWrite {
  return { tombstone: true, value: null, contentType: null, context, expiresAtMs: null };
}

export function coordinator(actor: string, conflictResolution: ConflictResolution) {
  return { actor, region: 'us-east', conflictResolution };
}

export const at = (wallMs: number, logical = 0): HlcTimestamp => ({ wallMs, logical });

export function valuesOf(versions: readonly StoredVersion[]): string[] {
  return versions.map((version) => version.value?.toString() ?? '<tombstone>').sort();
}

/** Applies writes in order at one coordinator, each at a later timestamp, and returns the final versions. */
export function writeAll(
  writes: readonly LocalWrite[],
  strategy: ConflictResolution,
  start: readonly StoredVersion[] = [],
): StoredVersion[] {
  let versions: readonly StoredVersion[] = start;
  writes.forEach((write, i) => {
    versions = applyLocalWrite(versions, write, coordinator('us-east/n1', strategy), at(1_000 + i)).versions;
  });
  return [...versions];
}
