import { Module } from '@nestjs/common';
import { CatalogController } from './catalog.controller';
import { CatalogStore } from './catalog.store';

@Module({
  controllers: [CatalogController],
  providers: [CatalogStore],
})
export class CatalogModule {}
