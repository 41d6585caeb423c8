/**
 * Splits items, in order, into consecutive groups of at most `maxItems` whose bytes stay within
 * `maxBytes`; an item larger than that is a group of its own. No group is empty. For sending values in
 * messages of a bounded size.
 */
export function byteGroups<T>(items: readonly T[], bytesOf: (item: T) => number, maxBytes: number, maxItems = Number.POSITIVE_INFINITY): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item);
    if (group.length > 0 && (bytes + size > maxBytes || group.length >= maxItems)) {
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
