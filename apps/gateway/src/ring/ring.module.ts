import { Global, Module } from '@nestjs/common';
import { CatalogCacheService } from '../catalog/catalog-cache.service';
import { MembershipEventsController } from './membership-events.controller';
import { RingViewService } from './ring-view.service';

/** What the gateway knows of its region: the ring and the keyspace catalog. */
@Global()
@Module({
  controllers: [MembershipEventsController],
  providers: [RingViewService, CatalogCacheService],
  exports: [RingViewService, CatalogCacheService],
})
export class RingModule {}
