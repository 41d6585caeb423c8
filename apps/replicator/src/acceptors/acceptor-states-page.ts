import { maxBallot, type Ballot } from '@geokv/caspaxos';
import { compareAcceptorKeys, type AcceptorKey, type AcceptorRecord, type NodeAcceptorStates } from '@geokv/protocol';

/**
 * A region's page of acceptor states from its nodes' pages: a node that did not reach the end of its rows
 * may hold more after the last it scanned, so the page ends at the smallest such key, and the next starts
 * after it. `next` is null once every node has reached its end. `floor` is the highest of the nodes'
 * acceptor floors: a key one of them dropped has no record, only that floor to keep refusing its old ballots.
 */
export function regionStatesPage(pages: readonly NodeAcceptorStates[]): { records: AcceptorRecord[]; next: AcceptorKey | null; floor: Ballot | null } {
  let next: AcceptorKey | null = null;
  for (const { scannedThrough } of pages) {
    if (scannedThrough !== null && (next === null || compareAcceptorKeys(scannedThrough, next) < 0)) next = scannedThrough;
  }
  const cut = next;
  const records = pages.flatMap((page) => page.records).filter((record) => cut === null || compareAcceptorKeys(record, cut) <= 0);
  const floor = pages.reduce<Ballot | null>((highest, page) => maxBallot(highest, page.floor ?? null), null);
  return { records, next, floor };
}
