import { Module } from '@nestjs/common';
import { KvModule } from '../kv/kv.module';
import { HandoffCleanup } from './handoff-cleanup.service';
import { HandoffStreamer } from './handoff-streamer.service';
import { HintReplayService } from './hint-replay.service';
import { ReplicaTopUp } from './replica-top-up.service';

/** Moving data between the region's nodes: hinted handoff, rebalancing's streaming and cleanup, and replica top-up. */
@Module({
  imports: [KvModule],
  providers: [HintReplayService, HandoffStreamer, HandoffCleanup, ReplicaTopUp],
  exports: [HandoffStreamer],
})
export class HandoffModule {}
