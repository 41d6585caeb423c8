import type { KeyRef } from '../kv/key-id';
import type { ShardDatabase } from '../kv/shard-database';
import { PAGE_KEYS } from '../kv/shard-statements';

/**
 * Every key of the shard, a page at a time in primary-key order. A keyset cursor (not OFFSET), so each page
 * is one index range scan however far the walk has gone, and writes meanwhile never make it skip a key
 * that existed when it started.
 */
export async function* pagesOfKeys(db: ShardDatabase, pageSize: number): AsyncGenerator<KeyRef[]> {
  let after: KeyRef = { keyspace: '', key: '' };
  for (;;) {
    const page = await db.run<{ keyspace: string; key: string }>(PAGE_KEYS, [after.keyspace, after.key, pageSize]);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1];
  }
}
