/** One string for a strong key, for the gateway's per-key maps: NUL cannot occur in a keyspace name. */
export function strongKeyId(keyspace: string, key: string): string {
  return `${keyspace}\u0000${key}`;
}
