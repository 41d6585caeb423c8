import { Module } from '@nestjs/common';
import { KvModule } from '../kv/kv.module';
import { HandoffCleanup } from './handoff-cleanup.service';
import { HandoffStreamer } from './handoff-streamer.service';
import { HintReplayService } from './hint-replay.service';

/** Moving data between the region's nodes: hinted handoff, and rebalancing's streaming and cleanup. */
@Module({
  imports: [KvModule],
  providers: [HintReplayService, HandoffStreamer, HandoffCleanup],
  exports: [HandoffStreamer],
})
export class HandoffModule {}
