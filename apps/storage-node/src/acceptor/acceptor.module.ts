import { Module } from '@nestjs/common';
import { KvModule } from '../kv/kv.module';
import { AcceptorController } from './acceptor.controller';
import { AcceptorHandover } from './acceptor-handover.service';
import { AcceptorStore } from './acceptor-store';
import { AcceptorsInFlight } from './acceptors-in-flight';

/** This node's share of the CASPaxos acceptors of strong keyspaces, and their handover in a rebalance. */
@Module({
  imports: [KvModule],
  controllers: [AcceptorController],
  providers: [AcceptorStore, AcceptorsInFlight, AcceptorHandover],
  exports: [AcceptorHandover],
})
export class AcceptorModule {}
