import { Module } from '@nestjs/common';
import { KvModule } from '../kv/kv.module';
import { AcceptorController } from './acceptor.controller';
import { AcceptorStore } from './acceptor-store';

/** This node's share of the CASPaxos acceptors of strong keyspaces. */
@Module({
  imports: [KvModule],
  controllers: [AcceptorController],
  providers: [AcceptorStore],
})
export class AcceptorModule {}
