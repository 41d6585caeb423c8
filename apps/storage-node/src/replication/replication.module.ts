import { Module } from '@nestjs/common';
import { KvModule } from '../kv/kv.module';
import { OutboxStore } from './outbox-store';
import { ReplicationController } from './replication.controller';
import { ReplicationService } from './replication.service';

@Module({
  imports: [KvModule],
  controllers: [ReplicationController],
  providers: [ReplicationService, OutboxStore],
})
export class ReplicationModule {}
