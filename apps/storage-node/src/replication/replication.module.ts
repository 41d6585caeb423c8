import { Module } from '@nestjs/common';
import { KvModule } from '../kv/kv.module';
import { GarbageCollector } from './garbage-collector';
import { OutboxStore } from './outbox-store';
import { ReplicationController } from './replication.controller';
import { ReplicationService } from './replication.service';

@Module({
  imports: [KvModule],
  controllers: [ReplicationController],
  providers: [ReplicationService, OutboxStore, GarbageCollector],
})
export class ReplicationModule {}
