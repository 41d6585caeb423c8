import { Module } from '@nestjs/common';
import { PeerTransports } from './peer-transports';
import { RegionAcceptors } from './region-acceptors';
import { StrongKvService } from './strong-kv.service';
import { StrongListing } from './strong-listing.service';

/** Strong keyspaces: this gateway as a CASPaxos proposer over every region's acceptors. */
@Module({
  providers: [PeerTransports, RegionAcceptors, StrongKvService, StrongListing],
  exports: [StrongKvService, StrongListing],
})
export class StrongModule {}
