import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, RepeatedLog, type PersistentReplyRedisClient } from '@geokv/config';
import { MembershipPatterns, type Heartbeat, type HeartbeatAnswer, type NodeRegistration, type RingView } from '@geokv/protocol';
import { HandoffStreamer } from '../handoff/handoff-streamer.service';
import { AcceptorLease } from '../region/acceptor-lease';
import { RegionView } from '../region/region-view.service';
import type { StorageNodeConfig } from '../storage-node.config';
import { MEMBERSHIP_CLIENT } from './tokens';

// Registration retries at this pace until membership answers; it may start after the node.
const REGISTER_RETRY_MS = 1_000;

/**
 * Registers the node with membership at start and then sends heartbeats. Each heartbeat carries the
 * registration too, so a membership process that restarted (or missed the registration, the transport
 * being lossy) learns the node again from the next heartbeat. Membership's answers renew the node's
 * acceptor lease (see AcceptorLease).
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatService.name);
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly unanswered = new RepeatedLog((fields) => this.logger.warn(fields, 'membership did not answer a heartbeat'));

  constructor(
    @Inject(MEMBERSHIP_CLIENT) private readonly membership: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: StorageNodeConfig,
    private readonly region: RegionView,
    private readonly handoff: HandoffStreamer,
    private readonly lease: AcceptorLease,
  ) {}

  onApplicationBootstrap(): void {
    const registration = this.registration();
    void this.register(registration);
    this.timer = setInterval(() => void this.beat(registration), this.config.GEOKV_HEARTBEAT_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async beat(registration: NodeRegistration): Promise<void> {
    const heartbeat: Heartbeat = { ...registration, ringEpoch: this.region.epoch, handoff: this.handoff.progress };
    const sentAtMs = this.lease.now();
    try {
      // An answer later than the lease could not renew it.
      const answer = await this.membership.request<HeartbeatAnswer>(MembershipPatterns.heartbeat, heartbeat, this.config.GEOKV_ACCEPTOR_LEASE_MS);
      this.confirm(sentAtMs, answer.epoch);
    } catch (error) {
      this.unanswered.note({ err: error });
    }
  }

  private confirm(sentAtMs: number, membershipEpoch: number): void {
    if (!this.lease.confirm(sentAtMs, membershipEpoch, this.region.epoch)) this.region.catchUpRing(membershipEpoch);
  }

  private async register(registration: NodeRegistration): Promise<void> {
    while (!this.stopped) {
      try {
        const sentAtMs = this.lease.now();
        const view = await this.membership.request<RingView>(MembershipPatterns.register, registration, this.config.GEOKV_RPC_TIMEOUT_MS);
        this.region.adopt(view);
        this.confirm(sentAtMs, view.epoch);
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
