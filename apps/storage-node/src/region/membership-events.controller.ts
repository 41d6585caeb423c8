import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MembershipEvents, type Catalog, type CatalogVersion, type RingView } from '@geokv/protocol';
import { RegionView } from './region-view.service';

/** Ring and catalog changes as membership publishes them. */
@Controller()
export class MembershipEventsController {
  constructor(private readonly region: RegionView) {}

  @EventPattern(MembershipEvents.ringChanged)
  ringChanged(@Payload() view: RingView): void {
    this.region.adopt(view);
  }

  @EventPattern(MembershipEvents.catalogChanged)
  catalogChanged(@Payload() catalog: Catalog): void {
    this.region.adoptCatalog(catalog);
  }

  @EventPattern(MembershipEvents.catalogVersion)
  catalogVersion(@Payload() announcement: CatalogVersion): void {
    this.region.catchUpCatalog(announcement.version);
  }
}
