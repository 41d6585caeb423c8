import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { partitionMoves, Ring } from '@geokv/partitioning';
import {
  MembershipEvents,
  type AcceptorsRebuilt,
  type HandoffProgress,
  type Heartbeat,
  type NodeRegistration,
  type NodeStatus,
  type NodeView,
  type RebalanceKind,
  type RebalancePhase,
  type RingView,
} from '@geokv/protocol';
import { ErrorCode } from '@geokv/protocol';
import { EVENTS_CLIENT } from '../events/tokens';
import type { MembershipConfig } from '../membership.config';
import { nodesToSuspect } from './failure-detector';
import { NodeStore, type RegistryChange } from './node-store';
import { handoffComplete, readyToStream, RebalanceRefused, roleOfNewNode, targetMembers, type Rebalance } from './rebalance-plan';

/** Partitions moving per streaming source, worked out once when a rebalance starts (or membership restarts). */
interface RebalancePlanCounts {
  readonly rebalanceId: number;
  readonly moving: number;
  readonly bySource: ReadonlyMap<string, number>;
}

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
  /** What each node last reported: the ring epoch it has adopted and its handoff progress. */
  private readonly reports = new Map<string, { ringEpoch: number; handoff: HandoffProgress | null }>();
  private epoch = 0;
  private rebalance: Rebalance | null = null;
  private lastRebalanceId: number | null = null;
  /** The replicator's report that it rebuilt the down leaving node's acceptor state, for the rebalance in progress. */
  private rebuilt: AcceptorsRebuilt | null = null;
  private planCounts: RebalancePlanCounts | null = null;
  /** The largest replication factor of any keyspace, read when a rebalance starts: its partition count assumes it. */
  private largestReplicationFactor = 3;
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
    @InjectMetric(Metric.rebalancePartitionsPending) private readonly partitionsPending: Gauge<string>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const state = await this.store.loadState();
    this.epoch = state.epoch;
    this.rebalance = state.rebalance;
    this.lastRebalanceId = state.lastRebalanceId;
    this.largestReplicationFactor = await this.store.largestReplicationFactor();
    // A restarted membership has no heartbeat history: every known node gets one timeout of grace.
    const nowMs = Date.now();
    for (const node of await this.store.loadNodes()) this.nodes.set(node.id, { ...node, lastHeartbeatMs: nowMs });
    this.updateGauges();
    this.timers = [
      setInterval(() => {
        this.sendSelfEcho();
        this.detectFailures();
        this.advanceRebalance();
      }, this.config.GEOKV_FAILURE_CHECK_INTERVAL_MS),
      setInterval(() => this.publish(), this.config.GEOKV_RING_BROADCAST_INTERVAL_MS),
    ];
    this.publish();
  }

  onApplicationShutdown(): void {
    this.timers.forEach(clearInterval);
  }

  /** The epoch of the ring as last made durable and published. */
  get currentEpoch(): number {
    return this.epoch;
  }

  ring(): RingView {
    return {
      region: this.config.GEOKV_REGION,
      epoch: this.epoch,
      vnodesPerNode: this.config.GEOKV_VNODES_PER_NODE,
      nodes: [...this.nodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      members: this.members(),
      rebalance: this.rebalanceView(),
      lastRebalanceId: this.lastRebalanceId,
    };
  }

  /** A registration or a heartbeat: both say the node is alive and where it serves. */
  heard(registration: NodeRegistration | Heartbeat): Promise<void> {
    if ('ringEpoch' in registration) this.reports.set(registration.nodeId, { ringEpoch: registration.ringEpoch, handoff: registration.handoff });
    const known = this.nodes.get(registration.nodeId);
    const nowMs = Date.now();
    if (known && known.status === 'up' && known.httpUrl === registration.httpUrl) {
      this.nodes.set(known.id, { ...known, lastHeartbeatMs: nowMs });
      return Promise.resolve();
    }
    return this.change(registration.nodeId, 'up', registration.httpUrl);
  }

  /**
   * Starts a join, drain or leave (one at a time). A leave of a node that is not in the ring just forgets
   * it. Resolves with the ring view that starts it.
   */
  startRebalance(kind: RebalanceKind, nodeId: string): Promise<RingView> {
    return this.serially(async () => {
      if (this.rebalance !== null) {
        throw new RebalanceRefused(ErrorCode.RebalanceInProgress, `a ${this.rebalance.kind} of node ${this.rebalance.node} is still running; wait for it to finish`);
      }
      const node = this.nodes.get(nodeId);
      if (kind === 'leave' && node !== undefined && node.role === 'standby') {
        await this.commit({ deleted: [nodeId] }, () => this.nodes.delete(nodeId));
        this.logger.log({ nodeId, epoch: this.epoch }, 'standby node forgotten');
        return this.ring();
      }
      const target = targetMembers(kind, node, this.members(), nodeId);
      this.largestReplicationFactor = await this.store.largestReplicationFactor();
      const rebalance: Rebalance = { id: this.epoch + 1, kind, node: nodeId, target, phase: 'propagating', startedAtMs: Date.now() };
      await this.commit({ rebalance }, () => {
        this.rebalance = rebalance;
      });
      this.logger.log({ rebalance }, 'rebalance started');
      return this.ring();
    });
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
    return this.serially(async () => {
      const known = this.nodes.get(id);
      if (known?.status === status && (httpUrl === undefined || known.httpUrl === httpUrl)) return;
      const nowMs = Date.now();
      const node: NodeView = {
        id,
        status,
        role: known?.role ?? this.roleOfNewNode(id),
        httpUrl: httpUrl ?? known?.httpUrl ?? '',
        joinedAtMs: known?.joinedAtMs ?? nowMs,
        lastHeartbeatMs: status === 'up' ? nowMs : (known?.lastHeartbeatMs ?? nowMs),
      };
      await this.commit({ saved: [node] }, () => this.nodes.set(id, node));
      this.logger.log({ nodeId: id, status, role: node.role, epoch: this.epoch }, 'node status changed');
    }).catch((error: unknown) => {
      this.logger.error({ err: error, nodeId: id }, 'could not record a node status change; will retry on the next heartbeat');
    });
  }

  private roleOfNewNode(id: string): NodeView['role'] {
    const seeds = this.config.GEOKV_SEED_NODES.split(',').map((seed) => seed.trim());
    return roleOfNewNode(id, seeds, this.members(), this.lastRebalanceId !== null || this.rebalance !== null);
  }

  /** Runs changes one at a time, so that two can never race on the epoch. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.changes.then(work);
    this.changes = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /**
   * Makes a change durable with a new epoch, then applies it in memory (`adopt`) and publishes the new view:
   * memory never runs ahead of the database, and the view published with an epoch includes its change.
   */
  private async commit(change: RegistryChange, adopt: () => void): Promise<void> {
    const epoch = await this.store.apply(change);
    adopt();
    this.epoch = epoch;
    this.updateGauges();
    this.publish();
  }

  private members(): string[] {
    return [...this.nodes.values()]
      .filter((node) => node.role === 'member')
      .map((node) => node.id)
      .sort();
  }

  /**
   * Moves the rebalance in progress along: to streaming once every node has its ring, to the acceptors
   * phase once every node has handed off its data, and to its target ring once every node has handed over
   * the acceptor state that moves. Runs on the failure detector's timer.
   */
  private advanceRebalance(): void {
    const rebalance = this.rebalance;
    this.partitionsPending.set(this.rebalanceView()?.partitionsPending ?? 0);
    if (rebalance === null) return;
    const nodes = [...this.nodes.values()];
    const statusOf = (id: string) => this.nodes.get(id)?.status;
    if (rebalance.phase === 'propagating') {
      const epochOf = (id: string): number => this.reports.get(id)?.ringEpoch ?? 0;
      if (readyToStream(rebalance, nodes, epochOf, Date.now(), this.config.GEOKV_HANDOFF_SETTLE_MS)) this.enterPhase(rebalance, 'streaming', 'every node has the new ring; streaming starts');
      return;
    }
    const done = this.doneNodes(rebalance);
    if (rebalance.phase === 'streaming') {
      if (handoffComplete(rebalance, this.members(), statusOf, done)) this.enterPhase(rebalance, 'acceptors', 'every node has streamed its data; acceptor state moves');
      return;
    }
    if (!handoffComplete(rebalance, this.members(), statusOf, done)) return;
    void this.serially(async () => {
      // A down leaving node held strong keys' acceptor state: it is excused once the replicator has rebuilt that
      // state from the peer regions (or the node, back, has handed it over).
      const leaverMayBeDown = this.rebuilt?.rebalanceId === rebalance.id || !(await this.store.hasStrongKeyspaces());
      if (!handoffComplete(rebalance, this.members(), statusOf, this.doneNodes(rebalance), leaverMayBeDown)) return;
      await this.finish(rebalance);
    }).catch((error: unknown) => this.logger.error({ err: error }, 'could not finish the rebalance; will retry'));
  }

  private enterPhase(rebalance: Rebalance, phase: RebalancePhase, message: string): void {
    const from = rebalance.phase;
    void this.serially(async () => {
      if (this.rebalance?.id !== rebalance.id || this.rebalance.phase !== from) return;
      const next: Rebalance = { ...rebalance, phase };
      await this.commit({ rebalance: next }, () => {
        this.rebalance = next;
      });
      this.logger.log({ rebalanceId: rebalance.id, phase }, message);
    }).catch((error: unknown) => this.logger.error({ err: error }, 'could not advance the rebalance; will retry'));
  }

  /** The replicator rebuilt the down leaving node's acceptor state: the acceptors phase no longer waits for that node. */
  acceptorsRebuilt(report: AcceptorsRebuilt): void {
    const rebalance = this.rebalance;
    if (rebalance?.id !== report.rebalanceId || rebalance.phase !== 'acceptors' || rebalance.node !== report.node) return;
    if (this.rebuilt?.rebalanceId === report.rebalanceId) return;
    this.rebuilt = report;
    this.logger.log({ ...report }, 'the leaving node’s acceptor state was rebuilt from the peer regions');
    this.publish();
  }

  /** The target ring becomes the ring: roles change, a left node is forgotten, and the epoch moves on. */
  private async finish(rebalance: Rebalance): Promise<void> {
    if (this.rebalance?.id !== rebalance.id) return;
    const target = new Set(rebalance.target);
    const saved = [...this.nodes.values()]
      .filter((node) => (node.role === 'member') !== target.has(node.id) && !(rebalance.kind === 'leave' && node.id === rebalance.node))
      .map((node): NodeView => ({ ...node, role: target.has(node.id) ? 'member' : 'standby' }));
    const deleted = rebalance.kind === 'leave' ? [rebalance.node] : [];
    await this.commit({ saved, deleted, rebalance: null, lastRebalanceId: rebalance.id }, () => {
      for (const node of saved) this.nodes.set(node.id, node);
      for (const id of deleted) this.nodes.delete(id);
      this.rebalance = null;
      this.lastRebalanceId = rebalance.id;
    });
    this.logger.log({ rebalanceId: rebalance.id, kind: rebalance.kind, node: rebalance.node, members: this.members() }, 'rebalance finished');
  }

  /** The nodes that have done their part of the rebalance's phase: streaming their data, or handing over acceptor state. */
  private doneNodes(rebalance: Rebalance): Set<string> {
    const done = new Set<string>();
    for (const [id, report] of this.reports) {
      const handoff = report.handoff;
      if (handoff?.rebalanceId === rebalance.id && (rebalance.phase === 'acceptors' ? handoff.acceptorsDone : handoff.done)) done.add(id);
    }
    return done;
  }

  private rebalanceView(): RingView['rebalance'] {
    const rebalance = this.rebalance;
    if (rebalance === null) return null;
    const counts = this.countsFor(rebalance);
    const done = this.doneNodes(rebalance);
    let keysMoved = 0;
    let bytesMoved = 0;
    const rebuilt = this.rebuilt?.rebalanceId === rebalance.id ? this.rebuilt : null;
    let acceptorsMoved = rebuilt?.records ?? 0;
    for (const report of this.reports.values()) {
      if (report.handoff?.rebalanceId !== rebalance.id) continue;
      keysMoved += report.handoff.keysMoved;
      bytesMoved += report.handoff.bytesMoved;
      acceptorsMoved += report.handoff.acceptorsMoved;
    }
    let pending = 0;
    if (rebalance.phase === 'propagating') pending = counts.moving;
    if (rebalance.phase === 'streaming') for (const [source, partitions] of counts.bySource) if (!done.has(source)) pending += partitions;
    return { ...rebalance, partitionsMoving: counts.moving, partitionsPending: pending, keysMoved, bytesMoved, acceptorsMoved, acceptorsRebuilt: rebuilt !== null, nodesDone: [...done].sort() };
  }

  private countsFor(rebalance: Rebalance): RebalancePlanCounts {
    if (this.planCounts?.rebalanceId === rebalance.id) return this.planCounts;
    const vnodesPerNode = this.config.GEOKV_VNODES_PER_NODE;
    const before = new Ring(this.members().map((id) => ({ id })), { vnodesPerNode });
    const after = new Ring(rebalance.target.map((id) => ({ id })), { vnodesPerNode });
    const { moves } = partitionMoves(before, after, this.largestReplicationFactor);
    const bySource = new Map<string, number>();
    for (const move of moves) {
      const source = move.from.find((id) => this.nodes.get(id)?.status === 'up') ?? move.from[0];
      bySource.set(source, (bySource.get(source) ?? 0) + 1);
    }
    this.planCounts = { rebalanceId: rebalance.id, moving: moves.length, bySource };
    return this.planCounts;
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
    this.partitionsPending.set(this.rebalanceView()?.partitionsPending ?? 0);
  }
}
