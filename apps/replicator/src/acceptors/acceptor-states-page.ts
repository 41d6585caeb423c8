import { compareAcceptorKeys, type AcceptorKey, type AcceptorRecord, type NodeAcceptorStates } from '@geokv/protocol';

/**
 * A region's page of acceptor states from its nodes' pages: a node that did not reach the end of its rows
 * may hold more after the last it scanned, so the page ends at the smallest such key, and the next starts
 * after it. `next` is null once every node has reached its end.
 */
export function regionStatesPage(pages: readonly NodeAcceptorStates[]): { records: AcceptorRecord[]; next: AcceptorKey | null } {
  let next: AcceptorKey | null = null;
  for (const { scannedThrough } of pages) {
    if (scannedThrough !== null && (next === null || compareAcceptorKeys(scannedThrough, next) < 0)) next = scannedThrough;
  }
  const cut = next;
  const records = pages.flatMap((page) => page.records).filter((record) => cut === null || compareAcceptorKeys(record, cut) <= 0);
  return { records, next };
}
