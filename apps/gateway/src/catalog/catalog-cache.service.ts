import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@geokv/config';
import { changedCatalogOf, ErrorCode, MembershipPatterns, type Catalog, type CatalogAnswer, type CatalogRequest, type KeyspacePolicy } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import type { GatewayConfig } from '../gateway.config';
import { RpcClient } from '../rpc/rpc-client';

// An unknown keyspace triggers a refresh (it may have been created through another gateway), but at most
// this often, so that requests for made-up keyspaces cannot turn into a flood of catalog fetches.
const MISS_REFRESH_INTERVAL_MS = 250;

/** The keyspace catalog as this gateway knows it: pushed on change, polled as a safety net. */
@Injectable()
export class CatalogCacheService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CatalogCacheService.name);
  private version = -1;
  private policies = new Map<string, KeyspacePolicy>();
  private deleted = new Set<string>();
  private lastMissRefreshMs = 0;
  private fetching: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.GEOKV_RING_POLL_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  apply(catalog: Catalog): void {
    if (catalog.version < this.version) return;
    this.version = catalog.version;
    this.policies = new Map(catalog.keyspaces.map((policy) => [policy.name, policy]));
    this.deleted = new Set(catalog.deleted);
  }

  list(): KeyspacePolicy[] {
    return [...this.policies.values()];
  }

  /**
   * The keyspace's policy. A keyspace this gateway does not know waits for the catalog fetch already on its
   * way, or starts one (rate-limited); a gateway that has never had a catalog (just started) answers 503,
   * never 404, since it cannot know that the keyspace does not exist.
   */
  async policyOf(keyspace: string): Promise<KeyspacePolicy> {
    const known = this.policies.get(keyspace);
    if (known) return known;
    const nowMs = Date.now();
    if (this.fetching !== null) {
      await this.fetching;
    } else if (this.version < 0 || nowMs - this.lastMissRefreshMs >= MISS_REFRESH_INTERVAL_MS) {
      this.lastMissRefreshMs = nowMs;
      await this.refresh();
    }
    const refreshed = this.policies.get(keyspace);
    if (refreshed) return refreshed;
    if (this.version < 0) throw new ApiError(ErrorCode.RingUnavailable, 'this gateway has not received the keyspace catalog from membership yet');
    if (this.deleted.has(keyspace)) throw new ApiError(ErrorCode.KeyspaceNotFound, `keyspace '${keyspace}' was deleted`);
    throw new ApiError(ErrorCode.KeyspaceNotFound, `keyspace '${keyspace}' does not exist; create it with PUT /v1/keyspaces/${keyspace}`);
  }

  /** Fetches the catalog when membership announces a newer version than this gateway holds (it missed a change). */
  catchUpTo(version: number): void {
    if (version > this.version) void this.refresh();
  }

  /** Fetches the catalog; callers meanwhile share the fetch on its way. */
  private refresh(): Promise<void> {
    this.fetching ??= this.fetch().finally(() => {
      this.fetching = null;
    });
    return this.fetching;
  }

  private async fetch(): Promise<void> {
    try {
      const request: CatalogRequest = { heldVersion: this.version };
      const catalog = changedCatalogOf(await this.rpc.request<CatalogAnswer>(MembershipPatterns.catalog, request));
      if (catalog !== null) this.apply(catalog);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not fetch the keyspace catalog; keeping the current one');
    }
  }
}
