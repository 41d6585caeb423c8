import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@geokv/config';
import type { StorageNodeConfig } from '../storage-node.config';
import { VersionStore } from './version-store';

/**
 * Purges expired versions in small slices. Reads already hide a version from the moment it expires, so
 * this only reclaims space; a cached copy of a purged version is harmless for the same reason.
 */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpirySweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: VersionStore,
    @Inject(APP_CONFIG) private readonly config: StorageNodeConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.GEOKV_EXPIRY_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    try {
      const purged = await this.store.purgeExpired();
      if (purged > 0) this.logger.log({ purged }, 'purged expired versions');
    } catch (error) {
      this.logger.warn({ err: error }, 'expiry sweep failed; retrying at the next interval');
    }
  }
}
