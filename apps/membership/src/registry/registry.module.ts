import { Module } from '@nestjs/common';
import { NodeStore } from './node-store';
import { RegistryController } from './registry.controller';
import { RegistryService } from './registry.service';

@Module({
  controllers: [RegistryController],
  providers: [RegistryService, NodeStore],
})
export class RegistryModule {}
