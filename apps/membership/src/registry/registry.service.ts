import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { MembershipEvents, type NodeRegistration, type NodeStatus, type NodeView, type RingView } from '@geokv/protocol';
import { EVENTS_CLIENT } from '../events/tokens';
import type { MembershipConfig } from '../membership.config';
import { nodesToSuspect } from './failure-detector';
import { NodeStore } from './node-store';

// Membership counts itself deaf after missing this many of its own echoes (1 s at the default interval):
// well inside the 2.5 s failure timeout, so detection pauses before anyone could be wrongly marked down.
const SELF_ECHO_DEAF_AFTER_CHECKS = 4;

/**
 * The region's node registry and its versioned ring. Every status change is made durable with a new
 * epoch before it is published, so the epoch a gateway sees never goes backwards, even across restarts.
 * Changes are applied one at a time (a promise chain): two heartbeats can never race on the epoch.
 */
@Injectable()
export class RegistryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RegistryService.name);
  private readonly nodes = new Map<string, NodeView>();
  private epoch = 0;
  /** When membership last heard its own echo over the transport; see hearSelf(). */
  private lastSelfEchoMs = Date.now();
  private changes: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly store: NodeStore,
    @Inject(EVENTS_CLIENT) private readonly events: ClientProxy,
    @Inject(APP_CONFIG) private readonly config: MembershipConfig,
    @InjectMetric(Metric.ringNodes) private readonly ringNodes: Gauge<string>,
    @InjectMetric(Metric.ringEpoch) private readonly ringEpoch: Gauge<string>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.epoch = await this.store.loadEpoch();
    // A restarted membership has no heartbeat history: every known node gets one timeout of grace.
    const nowMs = Date.now();
    for (const node of await this.store.loadNodes()) this.nodes.set(node.id, { ...node, lastHeartbeatMs: nowMs });
    this.updateGauges();
    this.timers = [
      setInterval(() => {
        this.sendSelfEcho();
        this.detectFailures();
      }, this.config.GEOKV_FAILURE_CHECK_INTERVAL_MS),
      setInterval(() => this.publish(), this.config.GEOKV_RING_BROADCAST_INTERVAL_MS),
    ];
    this.publish();
  }

  onApplicationShutdown(): void {
    this.timers.forEach(clearInterval);
  }

  ring(): RingView {
    return {
      region: this.config.GEOKV_REGION,
      epoch: this.epoch,
      vnodesPerNode: this.config.GEOKV_VNODES_PER_NODE,
      nodes: [...this.nodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    };
  }

  /** A registration or a heartbeat: both say the node is alive and where it serves. */
  heard(registration: NodeRegistration): Promise<void> {
    const known = this.nodes.get(registration.nodeId);
    const nowMs = Date.now();
    if (known && known.status === 'up' && known.httpUrl === registration.httpUrl) {
      this.nodes.set(known.id, { ...known, lastHeartbeatMs: nowMs });
      return Promise.resolve();
    }
    return this.change(registration.nodeId, 'up', registration.httpUrl);
  }

  /**
   * Membership's own echo came back over the transport. If it had stopped (Redis restarted, or this
   * process was cut off), every node's silence in that time says nothing about the node: each gets a fresh
   * timeout instead of being marked down for membership's own deafness.
   */
  hearSelf(): void {
    const nowMs = Date.now();
    if (this.isDeaf(nowMs)) {
      this.logger.warn({ silentMs: nowMs - this.lastSelfEchoMs }, 'membership hears the transport again; restarting failure timeouts');
      for (const node of this.nodes.values()) this.nodes.set(node.id, { ...node, lastHeartbeatMs: Math.max(node.lastHeartbeatMs, nowMs) });
    }
    this.lastSelfEchoMs = nowMs;
  }

  private isDeaf(nowMs: number): boolean {
    return nowMs - this.lastSelfEchoMs > SELF_ECHO_DEAF_AFTER_CHECKS * this.config.GEOKV_FAILURE_CHECK_INTERVAL_MS;
  }

  private sendSelfEcho(): void {
    // An echo that cannot be sent is not an error to report: its absence is exactly what isDeaf() measures.
    this.events.emit(MembershipEvents.selfEcho, {}).subscribe({ error: () => undefined });
  }

  private detectFailures(): void {
    // A membership that cannot hear the transport cannot judge anyone.
    if (this.isDeaf(Date.now())) return;
    const suspects = nodesToSuspect(this.nodes.values(), Date.now(), this.config.GEOKV_FAILURE_TIMEOUT_MS);
    for (const id of suspects) void this.change(id, 'down');
  }

  private change(id: string, status: NodeStatus, httpUrl?: string): Promise<void> {
    const next = this.changes.then(async () => {
      const known = this.nodes.get(id);
      if (known?.status === status && (httpUrl === undefined || known.httpUrl === httpUrl)) return;
      const nowMs = Date.now();
      const node: NodeView = {
        id,
        status,
        httpUrl: httpUrl ?? known?.httpUrl ?? '',
        joinedAtMs: known?.joinedAtMs ?? nowMs,
        lastHeartbeatMs: status === 'up' ? nowMs : (known?.lastHeartbeatMs ?? nowMs),
      };
      this.epoch = await this.store.saveNodeAndBumpEpoch(node);
      this.nodes.set(id, node);
      this.logger.log({ nodeId: id, status, epoch: this.epoch }, 'node status changed');
      this.updateGauges();
      this.publish();
    });
    this.changes = next.catch((error: unknown) => {
      this.logger.error({ err: error, nodeId: id }, 'could not record a node status change; will retry on the next heartbeat');
    });
    return next;
  }

  private publish(): void {
    this.events.emit(MembershipEvents.ringChanged, this.ring()).subscribe({
      error: (error: Error) => this.logger.warn({ err: error }, 'ring not published'),
    });
  }

  private updateGauges(): void {
    const nodes = [...this.nodes.values()];
    this.ringNodes.set({ status: 'up' }, nodes.filter((node) => node.status === 'up').length);
    this.ringNodes.set({ status: 'down' }, nodes.filter((node) => node.status === 'down').length);
    this.ringEpoch.set(this.epoch);
  }
}
