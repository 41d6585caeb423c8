import { Module } from '@nestjs/common';
import { AcceptorModule } from '../acceptor/acceptor.module';
import { KvModule } from '../kv/kv.module';
import { HandoffCleanup } from './handoff-cleanup.service';
import { HandoffStreamer } from './handoff-streamer.service';
import { HintReplayService } from './hint-replay.service';
import { ReplicaTopUp } from './replica-top-up.service';

/** Moving data between the region's nodes: hinted handoff, rebalancing's streaming, acceptor handover and cleanup, and replica top-up. */
@Module({
  imports: [KvModule, AcceptorModule],
  providers: [HintReplayService, HandoffStreamer, HandoffCleanup, ReplicaTopUp],
  exports: [HandoffStreamer],
})
export class HandoffModule {}
