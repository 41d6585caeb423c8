import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MembershipEvents, type Catalog, type CatalogVersion, type RingView } from '@geokv/protocol';
import { CatalogCacheService } from '../catalog/catalog-cache.service';
import { RingViewService } from './ring-view.service';

/** Membership's pushed changes. Both caches ignore anything older than what they hold. */
@Controller()
export class MembershipEventsController {
  constructor(
    private readonly ring: RingViewService,
    private readonly catalog: CatalogCacheService,
  ) {}

  @EventPattern(MembershipEvents.ringChanged)
  ringChanged(@Payload() view: RingView): void {
    this.ring.apply(view);
  }

  @EventPattern(MembershipEvents.catalogChanged)
  catalogChanged(@Payload() catalog: Catalog): void {
    this.catalog.apply(catalog);
  }

  @EventPattern(MembershipEvents.catalogVersion)
  catalogVersion(@Payload() announcement: CatalogVersion): void {
    this.catalog.catchUpTo(announcement.version);
  }
}
