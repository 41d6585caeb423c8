import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@geokv/config';
import { OutboxSignal } from '../replication/outbox-signal';
import { RegionModule } from '../region/region.module';
import { HintRecorder } from '../replicas/hint-recorder';
import { QuorumRead } from '../replicas/quorum-read';
import { ReplicaFanout } from '../replicas/replica-fanout';
import type { StorageNodeConfig } from '../storage-node.config';
import { KvController } from './kv.controller';
import { ExpirySweeper } from './expiry-sweeper.service';
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
    OutboxSignal,
    WriteBatcher,
    ExpirySweeper,
    {
      provide: VersionCache,
      inject: [APP_CONFIG],
      useFactory: (config: StorageNodeConfig) => new VersionCache(config.GEOKV_CACHE_MAX_BYTES),
    },
  ],
  exports: [ReplicaFanout, WriteBatcher, ShardDatabase, OutboxSignal, VersionCache, VersionStore, KvService, RegionModule],
})
export class KvModule {}
