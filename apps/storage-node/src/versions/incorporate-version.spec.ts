import fc from 'fast-check';
import { fullClock } from '@geokv/vector-clock';
import { incorporateVersion } from './incorporate-version';
import { applyLocalWrite } from './local-write';
import type { StoredVersion } from './stored-version';
import { at, coordinator, localWrite } from './versions.fixtures';

/** Concurrent versions written at different coordinators from one base, as different regions would. */
function concurrentVersions(count: number): StoredVersion[] {
  const base = applyLocalWrite([], localWrite('base'), coordinator('us-east/n1', 'siblings'), at(1_000)).written;
  return Array.from({ length: count }, (_, i) =>
    applyLocalWrite([base], localWrite(`v${i}`, fullClock(base)), coordinator(`region-${i}/n1`, 'siblings'), at(2_000 + ((i * 7) % count))).written,
  );
}

function fold(order: readonly StoredVersion[], strategy: 'lww' | 'siblings') {
  let versions: readonly StoredVersion[] = [];
  const losers = new Set<string>();
  for (const version of order) {
    const outcome = incorporateVersion(versions, version, strategy);
    versions = outcome.versions;
    outcome.losers.forEach((loser) => losers.add(loser.value!.toString()));
  }
  return { values: versions.map((version) => version.value!.toString()).sort(), losers };
}

describe('incorporateVersion', () => {
  it('is idempotent: a version already held changes nothing', () => {
    const [version] = concurrentVersions(1);
    const outcome = incorporateVersion([version], version, 'siblings');
    expect(outcome.accepted).toBe(false);
    expect(outcome.versions).toEqual([version]);
  });

  it('ignores a version that a held one supersedes', () => {
    const first = applyLocalWrite([], localWrite('old'), coordinator('us-east/n1', 'siblings'), at(1)).written;
    const second = applyLocalWrite([first], localWrite('new'), coordinator('us-east/n1', 'siblings'), at(2)).written;
    const outcome = incorporateVersion([second], first, 'siblings');
    expect(outcome.accepted).toBe(false);
    expect(outcome.versions).toEqual([second]);
  });

  it('converges to the same siblings whatever the arrival order', () => {
    const versions = concurrentVersions(4);
    fc.assert(
      fc.property(fc.shuffledSubarray(versions, { minLength: 4, maxLength: 4 }), (order) => {
        expect(fold(order, 'siblings').values).toEqual(['v0', 'v1', 'v2', 'v3']);
      }),
    );
  });

  it('picks the same LWW winner whatever the arrival order, and loses nothing', () => {
    const versions = concurrentVersions(5);
    const expected = fold(versions, 'lww').values;
    fc.assert(
      fc.property(fc.shuffledSubarray(versions, { minLength: 5, maxLength: 5 }), (order) => {
        const { values, losers } = fold(order, 'lww');
        expect(values).toEqual(expected);
        expect([...values, ...losers].sort()).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
      }),
    );
  });

  it('widens a held copy by a copy with a wider context, so replicas that missed an lww loser converge', () => {
    const versions = concurrentVersions(3);
    const resolved = fold(versions, 'lww');
    let seenAll: readonly StoredVersion[] = [];
    for (const version of versions) seenAll = incorporateVersion(seenAll, version, 'lww').versions;
    const [winner] = seenAll;
    const narrow = versions.find((version) => version.value!.toString() === resolved.values[0])!;
    expect(winner.context).not.toEqual(narrow.context);

    // A replica that holds the winner but never saw the losers (their copies collected, say).
    const widened = incorporateVersion([narrow], winner, 'lww');
    expect(widened.accepted).toBe(true);
    expect(widened.losers).toEqual([]);
    expect(widened.versions).toEqual([winner]);
    // The narrower copy arriving afterwards changes nothing, and neither does a loser arriving late.
    expect(incorporateVersion([winner], narrow, 'lww').accepted).toBe(false);
    for (const loser of versions.filter((version) => version !== narrow)) {
      expect(incorporateVersion([winner], loser, 'lww').accepted).toBe(false);
    }
  });

  it('reaches one state from any arrival order of versions and widened copies', () => {
    const versions = concurrentVersions(4);
    let seenAll: readonly StoredVersion[] = [];
    for (const version of versions) seenAll = incorporateVersion(seenAll, version, 'lww').versions;
    fc.assert(
      fc.property(fc.shuffledSubarray([...versions, ...seenAll], { minLength: 1 }), (order) => {
        fc.pre(order.includes(seenAll[0]));
        let state: readonly StoredVersion[] = [];
        for (const version of order) state = incorporateVersion(state, version, 'lww').versions;
        expect(state).toEqual(seenAll);
      }),
    );
  });
});
