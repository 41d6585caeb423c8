/**
 * Values a node sends other replicas at once when it hands keys over (handoff, replica top-up, hinted
 * handoff): what a replica takes within its deadline as one or two coalesced messages. Sent all at once,
 * a page of 500 hinted keys of 1 MiB was 500 MiB queued for one replica; most of it missed the deadline,
 * so the hints stayed, and the next round loaded and sent it all again.
 */
export const SEND_BYTES_IN_FLIGHT = 4 * 1_048_576;

/**
 * Splits items, in order, into consecutive groups whose bytes stay within `maxBytes`; an item larger than
 * that is a group of its own. No group is empty.
 */
export function byteGroups<T>(items: readonly T[], bytesOf: (item: T) => number, maxBytes: number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (group.length > 0 && bytes + size > maxBytes) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(item);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
