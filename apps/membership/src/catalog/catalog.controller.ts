import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern, Payload, type ClientProxy } from '@nestjs/microservices';
import { MembershipEvents, MembershipPatterns, type Catalog, type PutKeyspaceRequest } from '@geokv/protocol';
import { EVENTS_CLIENT } from '../events/tokens';
import { CatalogStore } from './catalog.store';

/**
 * The keyspace catalog. The gateway validates a policy at the edge; the table's CHECK constraints are the
 * last line of defence. Every change is published so that gateways need not wait for their next poll.
 */
@Controller()
export class CatalogController {
  private readonly logger = new Logger(CatalogController.name);

  constructor(
    private readonly store: CatalogStore,
    @Inject(EVENTS_CLIENT) private readonly events: ClientProxy,
  ) {}

  @MessagePattern(MembershipPatterns.catalog)
  catalog(): Promise<Catalog> {
    return this.store.load();
  }

  @MessagePattern(MembershipPatterns.putKeyspace)
  async putKeyspace(@Payload() request: PutKeyspaceRequest): Promise<Catalog> {
    await this.store.upsert(request.policy);
    const catalog = await this.store.load();
    this.logger.log({ requestId: request.requestId, keyspace: request.policy.name, version: catalog.version }, 'keyspace saved');
    this.events.emit(MembershipEvents.catalogChanged, catalog).subscribe({
      error: (error: Error) => this.logger.warn({ err: error }, 'catalog change not published'),
    });
    return catalog;
  }
}
