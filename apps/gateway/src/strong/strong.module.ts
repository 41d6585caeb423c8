import { Module } from '@nestjs/common';
import { PeerTransports } from './peer-transports';
import { RegionAcceptors } from './region-acceptors';
import { StrongKvService } from './strong-kv.service';

/** Strong keyspaces: this gateway as a CASPaxos proposer over every region's acceptors. */
@Module({
  providers: [PeerTransports, RegionAcceptors, StrongKvService],
  exports: [StrongKvService],
})
export class StrongModule {}
