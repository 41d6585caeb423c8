import { compareKeys, type NodeKeys } from '@geokv/protocol';

/** One storage node's answer to a listing: its first `limit` keys after the cursor, in byte order. */
export type NodeListing = NodeKeys;

export interface ListingCandidate {
  readonly key: string;
  /**
   * Every replica a read of the key would consult lists it as live, so a read would find it. When they
   * disagree (a delete or a write has reached some of them only), only a read can tell.
   */
  readonly agreed: boolean;
}

export interface ListingPlan {
  /** Every key some node listed, up to `cut`, in byte order. */
  readonly candidates: readonly ListingCandidate[];
  /**
   * When a node's page was full, the smallest last key of the full pages: a node may hold keys after it that
   * it did not send, so the page ends there and the next one starts after it. null when every node sent all
   * it had.
   */
  readonly cut: string | null;
}

/**
 * Merges the nodes' listings into the keys a page may hold. A key has several replicas and each node lists
 * only what it holds live, so a replica that a delete (or a write) has not reached yet disagrees with the
 * others: such keys are marked for a read rather than listed (or dropped) on one node's word.
 * `readReplicasOf` gives the nodes a read of the key consults (its up home replicas); a key no such node
 * lists (held only by a stand-in, say) is not agreed either.
 */
export function planListingPage(listings: readonly NodeListing[], limit: number, readReplicasOf: (key: string) => readonly string[]): ListingPlan {
  let cut: string | null = null;
  for (const listing of listings) {
    if (listing.keys.length < limit) continue;
    const last = listing.keys[listing.keys.length - 1];
    if (cut === null || compareKeys(last, cut) < 0) cut = last;
  }
  const listedBy = new Map<string, Set<string>>();
  for (const listing of listings) {
    for (const key of listing.keys) {
      if (cut !== null && compareKeys(key, cut) > 0) break;
      let nodes = listedBy.get(key);
      if (nodes === undefined) listedBy.set(key, (nodes = new Set()));
      nodes.add(listing.node);
    }
  }
  const candidates = [...listedBy]
    .map(([key, nodes]): ListingCandidate => {
      const readers = readReplicasOf(key);
      return { key, agreed: readers.length > 0 && readers.every((node) => nodes.has(node)) };
    })
    .sort((a, b) => compareKeys(a.key, b.key));
  return { candidates, cut };
}

/** A page of a listing, as the API answers it. */
export interface ListingPage {
  readonly keys: string[];
  /** Where the next page starts (base64url of the last key considered); null once the listing is done. */
  readonly cursor: string | null;
}

/**
 * The page a plan gives: its candidates in order, an agreed one listed as it is and any other only if
 * `isLive` finds it, until `limit` keys are listed. The cursor is the last key listed on a full page, the
 * plan's cut otherwise (null: nothing is left).
 */
export async function livePage(plan: ListingPlan, limit: number, isLive: (key: string) => Promise<boolean>): Promise<ListingPage> {
  const keys: string[] = [];
  let examined = 0;
  while (keys.length < limit && examined < plan.candidates.length) {
    const next = plan.candidates.slice(examined, examined + limit - keys.length);
    examined += next.length;
    const live = await Promise.all(next.map(({ key, agreed }) => agreed || isLive(key)));
    next.forEach(({ key }, index) => live[index] && keys.push(key));
  }
  const last = keys.length === limit ? keys[keys.length - 1] : plan.cut;
  return { keys, cursor: last === null ? null : Buffer.from(last, 'utf8').toString('base64url') };
}
