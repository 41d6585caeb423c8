import { Module } from '@nestjs/common';
import { KeyspacesController } from './keyspaces.controller';

@Module({ controllers: [KeyspacesController] })
export class KeyspacesModule {}
