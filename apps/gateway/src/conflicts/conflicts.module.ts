import { Module } from '@nestjs/common';
import { KvModule } from '../kv/kv.module';
import { ConflictsController } from './conflicts.controller';

@Module({ imports: [KvModule], controllers: [ConflictsController] })
export class ConflictsModule {}
