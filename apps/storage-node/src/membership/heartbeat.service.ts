import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type PersistentReplyRedisClient } from '@geokv/config';
import { MembershipEvents, MembershipPatterns, type Heartbeat, type NodeRegistration } from '@geokv/protocol';
import { HandoffStreamer } from '../handoff/handoff-streamer.service';
import { RegionView } from '../region/region-view.service';
import type { StorageNodeConfig } from '../storage-node.config';
import { MEMBERSHIP_CLIENT } from './tokens';

// Registration retries at this pace until membership answers; it may start after the node.
const REGISTER_RETRY_MS = 1_000;

/**
 * Registers the node with membership at start and then sends heartbeats. Each heartbeat carries the
 * registration too, so a membership process that restarted (or missed the registration, the transport
 * being lossy) learns the node again from the next heartbeat.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatService.name);
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(MEMBERSHIP_CLIENT) private readonly membership: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: StorageNodeConfig,
    private readonly region: RegionView,
    private readonly handoff: HandoffStreamer,
  ) {}

  onApplicationBootstrap(): void {
    const registration = this.registration();
    void this.register(registration);
    this.timer = setInterval(() => {
      const heartbeat: Heartbeat = { ...registration, ringEpoch: this.region.epoch, handoff: this.handoff.progress };
      this.membership.emit(MembershipEvents.heartbeat, heartbeat).subscribe({
        error: (error: Error) => this.logger.warn({ err: error }, 'heartbeat not sent'),
      });
    }, this.config.GEOKV_HEARTBEAT_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async register(registration: NodeRegistration): Promise<void> {
    while (!this.stopped) {
      try {
        await this.membership.request(MembershipPatterns.register, registration, this.config.GEOKV_RPC_TIMEOUT_MS);
        this.logger.log({ nodeId: registration.nodeId }, 'registered with membership');
        return;
      } catch (error) {
        this.logger.warn({ err: error }, 'membership did not acknowledge the registration; retrying');
        await new Promise((resolve) => setTimeout(resolve, REGISTER_RETRY_MS));
      }
    }
  }

  private registration(): NodeRegistration {
    const httpUrl = this.config.GEOKV_ADVERTISE_URL || `http://${this.config.HOST}:${this.config.PORT}`;
    return { nodeId: this.config.GEOKV_NODE_ID, region: this.config.GEOKV_REGION, httpUrl };
  }
}
