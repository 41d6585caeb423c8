import { Module } from '@nestjs/common';
import { StrongModule } from '../strong/strong.module';
import { KvController } from './kv.controller';
import { KvService } from './kv.service';

@Module({
  imports: [StrongModule],
  controllers: [KvController],
  providers: [KvService],
  exports: [KvService],
})
export class KvModule {}
