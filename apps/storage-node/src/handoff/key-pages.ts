import type { KeyRef } from '../kv/key-id';
import type { ShardDatabase } from '../kv/shard-database';
import { PAGE_KEYS } from '../kv/shard-statements';

/**
 * Every key of the shard (after `from`), a page at a time in primary-key order. A keyset cursor (not
 * OFFSET), so each page is one index range scan however far the walk has gone, and writes meanwhile never
 * make it skip a key that existed when it started.
 */
export async function* pagesOfKeys(db: ShardDatabase, pageSize: number, from: KeyRef = { keyspace: '', key: '' }): AsyncGenerator<KeyRef[]> {
  let after = from;
  for (;;) {
    const page = await db.run<{ keyspace: string; key: string }>(PAGE_KEYS, [after.keyspace, after.key, pageSize]);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1];
  }
}

/** Every key of one keyspace in the shard, a page at a time (see pagesOfKeys). */
export async function* pagesOfKeyspace(db: ShardDatabase, keyspace: string, pageSize: number): AsyncGenerator<KeyRef[]> {
  for await (const page of pagesOfKeys(db, pageSize, { keyspace, key: '' })) {
    const mine = page.filter((ref) => ref.keyspace === keyspace);
    if (mine.length > 0) yield mine;
    if (mine.length < page.length) return;
  }
}
