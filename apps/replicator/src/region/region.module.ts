import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, createTransportClient, type CommonConfig } from '@geokv/config';
import { RegionViewService } from './region-view.service';
import { LOCAL_TRANSPORT } from './tokens';

/** The region as the replicator sees it: its own Redis transport, ring and catalog. */
@Global()
@Module({
  providers: [
    { provide: LOCAL_TRANSPORT, inject: [APP_CONFIG], useFactory: (config: CommonConfig) => createTransportClient(config.REDIS_URL) },
    RegionViewService,
  ],
  exports: [LOCAL_TRANSPORT, RegionViewService],
})
export class RegionModule {}
