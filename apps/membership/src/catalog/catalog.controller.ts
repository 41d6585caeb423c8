import { Controller, Inject, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MessagePattern, Payload, RpcException, type ClientProxy } from '@nestjs/microservices';
import { APP_CONFIG } from '@geokv/config';
import {
  DEFAULT_KEYSPACE,
  ErrorCode,
  MembershipEvents,
  MembershipPatterns,
  type AdoptDefinitionsRequest,
  type AdoptDefinitionsResult,
  type Catalog,
  type CatalogAnswer,
  type CatalogRequest,
  type CatalogVersion,
  type DeleteKeyspaceRequest,
  type KeyspaceDefinition,
  type PutKeyspaceRequest,
} from '@geokv/protocol';
import { EVENTS_CLIENT } from '../events/tokens';
import type { MembershipConfig } from '../membership.config';
import { CatalogStore } from './catalog.store';

/**
 * The keyspace catalog. The gateway validates a policy at the edge; the table's CHECK constraints are the
 * last line of defence. Every change is published, and the catalog's version is announced with the ring's
 * period even without one, so that a process that missed an event (the transport is lossy) sees that it is
 * behind and fetches the catalog within that period instead of at its next poll. Only the version: with
 * thousands of keyspaces, the whole catalog every 2 s kept every process decoding it.
 */
@Controller()
export class CatalogController implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CatalogController.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: CatalogStore,
    @Inject(EVENTS_CLIENT) private readonly events: ClientProxy,
    @Inject(APP_CONFIG) private readonly config: MembershipConfig,
  ) {}

  onApplicationBootstrap(): void {
    // A database outage shows in readiness; the next tick tries again.
    this.timer = setInterval(() => void this.announceVersion().catch(() => undefined), this.config.GEOKV_RING_BROADCAST_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  @MessagePattern(MembershipPatterns.catalog)
  catalog(@Payload() request: CatalogRequest): Promise<CatalogAnswer> {
    return this.store.loadUnlessHeld(request?.heldVersion);
  }

  @MessagePattern(MembershipPatterns.putKeyspace)
  async putKeyspace(@Payload() request: PutKeyspaceRequest): Promise<Catalog> {
    const name = request.policy.name;
    if (!(await this.store.upsert(request.policy, this.config.GEOKV_REGION))) {
      throw new RpcException({ code: ErrorCode.KeyspaceDeleted, message: `keyspace '${name}' was deleted, and a deleted keyspace's name is not reused; choose another name` });
    }
    const catalog = await this.publish();
    this.logger.log({ requestId: request.requestId, keyspace: name, version: catalog.version }, 'keyspace saved');
    return catalog;
  }

  @MessagePattern(MembershipPatterns.deleteKeyspace)
  async deleteKeyspace(@Payload() request: DeleteKeyspaceRequest): Promise<Catalog> {
    if (request.name === DEFAULT_KEYSPACE.name) {
      throw new RpcException({ code: ErrorCode.InvalidKeyspacePolicy, message: `keyspace '${DEFAULT_KEYSPACE.name}' always exists and cannot be deleted` });
    }
    if (!(await this.store.delete(request.name, this.config.GEOKV_REGION))) {
      throw new RpcException({ code: ErrorCode.KeyspaceNotFound, message: `keyspace '${request.name}' does not exist` });
    }
    const catalog = await this.publish();
    this.logger.log({ requestId: request.requestId, keyspace: request.name, version: catalog.version }, 'keyspace deleted');
    return catalog;
  }

  @MessagePattern(MembershipPatterns.definitions)
  definitions(): Promise<KeyspaceDefinition[]> {
    return this.store.definitions();
  }

  /** Definitions from peer regions, through the replicator. */
  @MessagePattern(MembershipPatterns.adoptDefinitions)
  async adoptDefinitions(@Payload() request: AdoptDefinitionsRequest): Promise<AdoptDefinitionsResult> {
    const adopted = await this.store.adopt(request.definitions);
    if (adopted > 0) {
      const catalog = await this.publish();
      this.logger.log({ requestId: request.requestId, adopted, version: catalog.version }, 'keyspace definitions adopted from a peer region');
    }
    return { adopted };
  }

  private async announceVersion(): Promise<void> {
    const announcement: CatalogVersion = { version: await this.store.version() };
    this.events.emit(MembershipEvents.catalogVersion, announcement).subscribe({
      error: (error: Error) => this.logger.warn({ err: error }, 'catalog version not announced'),
    });
  }

  private async publish(): Promise<Catalog> {
    const catalog = await this.store.load();
    this.events.emit(MembershipEvents.catalogChanged, catalog).subscribe({
      error: (error: Error) => this.logger.warn({ err: error }, 'catalog change not published'),
    });
    return catalog;
  }
}
