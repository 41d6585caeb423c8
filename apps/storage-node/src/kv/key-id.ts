/** A key's identity inside one shard. Keyspace names cannot contain a colon, so the pair is unambiguous. */
export interface KeyRef {
  readonly keyspace: string;
  readonly key: string;
}

export function keyIdOf(ref: KeyRef): string {
  return `${ref.keyspace}:${ref.key}`;
}
