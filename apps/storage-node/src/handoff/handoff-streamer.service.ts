import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { PeriodicService } from '@geokv/bootstrap';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { placementKey, type HandoffProgress } from '@geokv/protocol';
import { AcceptorHandover } from '../acceptor/acceptor-handover.service';
import type { KeyRef } from '../kv/key-id';
import { ShardDatabase } from '../kv/shard-database';
import { VersionStore } from '../kv/version-store';
import { RegionView } from '../region/region-view.service';
import { ReplicaClient } from '../region/replica-client';
import type { StorageNodeConfig } from '../storage-node.config';
import { pagesOfKeys } from './key-pages';
import { bytesOfMoves, sendCopies, type KeyMove } from './send-copies';

/** Between attempts at a page that a new replica did not take. */
const PAGE_RETRY_MS = 1_000;
const CHECK_INTERVAL_MS = 250;

/**
 * This node's part of a rebalance: once membership says `streaming`, it walks its keys and sends each key
 * that gains a replica in the target ring to that replica. Writes already reach the new replicas (they are
 * write targets from the moment the rebalance starts), so what is streamed plus what is written meanwhile
 * is everything. Each key is sent by one node: its first up home replica, or any node holding a copy it is
 * not home for (a hinted stand-in's copy). Then, once membership says `acceptors`, it hands over the
 * acceptor state of strong keys (AcceptorHandover). Progress travels to membership with each heartbeat.
 */
@Injectable()
export class HandoffStreamer extends PeriodicService {
  private readonly logger = new Logger(HandoffStreamer.name);
  private current: HandoffProgress | null = null;

  constructor(
    private readonly db: ShardDatabase,
    private readonly store: VersionStore,
    private readonly region: RegionView,
    private readonly replicas: ReplicaClient,
    private readonly acceptors: AcceptorHandover,
    @Inject(APP_CONFIG) private readonly config: StorageNodeConfig,
    @InjectMetric(Metric.handoffKeysMoved) private readonly keysMoved: Counter<string>,
    @InjectMetric(Metric.handoffBytesMoved) private readonly bytesMoved: Counter<string>,
  ) {
    super(CHECK_INTERVAL_MS);
  }

  /** What the next heartbeat reports. */
  get progress(): HandoffProgress | null {
    return this.current;
  }

  /** Streams, or hands acceptors over, when membership says so and this node has not done its part yet. */
  protected async runOnce(): Promise<void> {
    const rebalance = this.region.current?.rebalance;
    if (rebalance === null || rebalance === undefined || !this.region.knowsKeyspaces) return;
    const mine = this.current?.rebalanceId === rebalance.id ? this.current : null;
    if (rebalance.phase === 'streaming' && mine?.done !== true) await this.stream(rebalance.id);
    if (rebalance.phase === 'acceptors' && mine?.acceptorsDone !== true) await this.handOverAcceptors(rebalance.id, mine);
  }

  private async stream(rebalanceId: number): Promise<void> {
    this.current = progressFrom(rebalanceId, false);
    this.logger.log({ rebalanceId }, 'handoff started');
    try {
      for await (const page of pagesOfKeys(this.db, this.config.GEOKV_HANDOFF_BATCH)) {
        if (!this.stillStreaming(rebalanceId)) return;
        await this.sendPage(rebalanceId, page);
      }
      this.current = { ...this.current, done: true };
      this.logger.log({ ...this.current }, 'handoff finished');
    } catch (error) {
      this.logger.warn({ err: error, rebalanceId }, 'handoff interrupted; it starts over');
      this.current = null;
    }
  }

  /** `streamed`: this node's progress in the streaming phase, unless it restarted since. */
  private async handOverAcceptors(rebalanceId: number, streamed: HandoffProgress | null): Promise<void> {
    // Membership moved on from streaming, so every node's streaming is done, this one's included.
    const progress = streamed ?? progressFrom(rebalanceId, true);
    try {
      const moved = await this.acceptors.handOver(rebalanceId);
      this.current = { ...progress, done: true, acceptorsDone: true, acceptorsMoved: progress.acceptorsMoved + moved };
      this.logger.log({ rebalanceId, acceptorsMoved: moved }, 'acceptor handover finished');
    } catch (error) {
      this.logger.warn({ err: error, rebalanceId }, 'acceptor handover interrupted; it starts over');
    }
  }

  private stillStreaming(rebalanceId: number): boolean {
    return !this.stopped && this.region.current?.rebalance?.id === rebalanceId;
  }

  /** Sends the page's keys that gain a replica, retrying until every new replica has them. */
  private async sendPage(rebalanceId: number, page: readonly KeyRef[]): Promise<void> {
    const moves = this.movesOf(page);
    if (moves.length === 0) return;
    const versions = await this.store.load(moves.map((move) => move.ref));
    const requestId = `handoff-${rebalanceId}-${randomUUID().slice(0, 8)}`;
    for (;;) {
      try {
        await sendCopies(this.replicas, (keyspace) => this.region.strategyOf(keyspace), requestId, moves, versions);
        break;
      } catch (error) {
        if (!this.stillStreaming(rebalanceId)) throw error;
        this.logger.warn({ err: error, rebalanceId }, 'a new replica did not take a handoff page; retrying');
        await sleep(PAGE_RETRY_MS);
      }
    }
    const bytes = bytesOfMoves(moves, versions);
    const keys = moves.length;
    this.current = { ...this.current!, keysMoved: this.current!.keysMoved + keys, bytesMoved: this.current!.bytesMoved + bytes };
    this.keysMoved.inc(keys);
    this.bytesMoved.inc(bytes);
  }

  /** The page's keys this node must send, each with the replicas it gains. */
  private movesOf(page: readonly KeyRef[]): KeyMove[] {
    const ring = this.region.ring;
    const self = this.region.self;
    const moves: KeyMove[] = [];
    for (const ref of page) {
      const n = this.region.replicasOf(ref.keyspace);
      const where = placementKey(ref.keyspace, ref.key);
      const homes = ring.homeReplicas(where, n);
      const gained = ring.targetReplicas(where, n).filter((node) => !homes.includes(node) && node !== self);
      if (gained.length === 0) continue;
      if (homes.includes(self) && homes.find((node) => ring.isUp(node)) !== self) continue;
      moves.push({ ref, to: gained });
    }
    return moves;
  }
}

/** A node's progress in a rebalance it has only begun (or, `streamed`, whose streaming it is past). */
function progressFrom(rebalanceId: number, streamed: boolean): HandoffProgress {
  return { rebalanceId, done: streamed, keysMoved: 0, bytesMoved: 0, acceptorsDone: false, acceptorsMoved: 0 };
}
