/**
 * The string a key is placed by on the ring. Keyspace names cannot contain a colon, so different
 * (keyspace, key) pairs never collide, and the same key in two keyspaces lands independently.
 */
export function placementKey(keyspace: string, key: string): string {
  return `${keyspace}:${key}`;
}
