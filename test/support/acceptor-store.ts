import { Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import type { StrongValue } from '@geokv/protocol';
import type { Teardown } from '@geokv/test-support';
import { AcceptorStore } from '../../apps/storage-node/src/acceptor/acceptor-store';
import { ShardDatabase } from '../../apps/storage-node/src/kv/shard-database';
import { createMigratedShard } from './migrated-database';

/** A storage node's acceptor store on a new migrated shard database of its own, closed and dropped by `teardown`. */
export async function acceptorStoreOnNewShard(label: string, teardown: Teardown): Promise<AcceptorStore> {
  const source = new DataSource({ type: 'postgres', url: await createMigratedShard(label, teardown) });
  await source.initialize();
  teardown.add('disconnect', () => source.destroy());
  const timer = new Histogram({ name: `${label}_test_query_seconds`, help: 'test', labelNames: ['query'], registers: [] });
  return new AcceptorStore(new ShardDatabase(source, timer));
}

/** A strong value for acceptor tests, written as `text` (its ETag and only recent operation derive from it); `fields` override. */
export function strongValueOf(text: string, fields: Partial<StrongValue> = {}): StrongValue {
  return {
    value: Buffer.from(text),
    contentType: 'text/plain',
    etag: `etag-${text}`,
    lastModifiedMs: 1_700_000_000_000,
    expiresAtMs: null,
    originRegion: 'us-east',
    tombstone: false,
    version: 1,
    recentOps: [`etag-${text}`],
    ...fields,
  };
}
