import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@geokv/config';
import { OutboxTail } from '../replication/outbox-tail';
import { RegionModule } from '../region/region.module';
import { HintRecorder } from '../replicas/hint-recorder';
import { QuorumRead } from '../replicas/quorum-read';
import { ReplicaFanout } from '../replicas/replica-fanout';
import type { StorageNodeConfig } from '../storage-node.config';
import { KvController } from './kv.controller';
import { ExpirySweeper } from './expiry-sweeper.service';
import { CoalescedReads } from './coalesced-reads';
import { KvService } from './kv.service';
import { VersionCache } from './version-cache';
import { ShardDatabase } from './shard-database';
import { VersionStore } from './version-store';
import { WriteBatcher } from './write-batcher';

@Module({
  imports: [RegionModule],
  controllers: [KvController],
  providers: [
    ReplicaFanout,
    QuorumRead,
    HintRecorder,
    KvService,
    VersionStore,
    ShardDatabase,
    WriteBatcher,
    ExpirySweeper,
    {
      provide: VersionCache,
      inject: [APP_CONFIG],
      useFactory: (config: StorageNodeConfig) => new VersionCache(config.GEOKV_CACHE_MAX_BYTES),
    },
    {
      provide: CoalescedReads,
      inject: [VersionStore],
      useFactory: (store: VersionStore) => new CoalescedReads((refs) => store.load(refs)),
    },
    {
      // Commits follow each other only with one batch in flight; see OutboxTail.
      provide: OutboxTail,
      inject: [APP_CONFIG],
      useFactory: (config: StorageNodeConfig) => new OutboxTail(config.GEOKV_BATCH_CONCURRENCY === 1),
    },
  ],
  exports: [ReplicaFanout, WriteBatcher, ShardDatabase, OutboxTail, VersionCache, VersionStore, KvService, RegionModule],
})
export class KvModule {}
