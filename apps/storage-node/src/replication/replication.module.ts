import { Module } from '@nestjs/common';
import { KvModule } from '../kv/kv.module';
import { AntiEntropyService } from './anti-entropy.service';
import { DeferredAcknowledgements } from './deferred-acknowledgements';
import { GarbageCollector } from './garbage-collector';
import { OutboxStore } from './outbox-store';
import { ReplicationController } from './replication.controller';
import { ReplicationService } from './replication.service';

@Module({
  imports: [KvModule],
  controllers: [ReplicationController],
  providers: [ReplicationService, OutboxStore, GarbageCollector, AntiEntropyService, DeferredAcknowledgements],
})
export class ReplicationModule {}
