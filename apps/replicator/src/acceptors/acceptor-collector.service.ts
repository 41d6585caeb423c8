import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { BallotSource, emptyForCollection, type AcceptorLinks, type Ballot, type CollectionOutcome } from '@geokv/caspaxos';
import { PeriodicTask } from '@geokv/bootstrap';
import { APP_CONFIG, NodeRequestCoalescer, RepeatedLog, type PersistentReplyRedisClient } from '@geokv/config';
import { Metric } from '@geokv/observability';
import {
  acceptorHolders,
  addressTo,
  regionAddressed,
  ReplicationPatterns,
  StoragePatterns,
  type AcceptorCollectionScan,
  type AcceptorCollectionScanRequest,
  type AcceptorKey,
  type AcceptRequest,
  type AcceptResult,
  type BatchRequest,
  type BatchResponse,
  type CollectRequest,
  type CollectResult,
  type PrepareRequest,
  type PrepareResult,
  type RpcErrorBody,
  type StrongValue,
} from '@geokv/protocol';
import { describeFailure } from '../region/describe-failure';
import { RegionViewService } from '../region/region-view.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import type { ReplicatorConfig } from '../replicator.config';
import { PeerLinks } from '../shipping/peer-links';
import { AcceptorMessageError, AcceptorRelay } from './acceptor-relay.service';
import { isGarbageValue } from './garbage-value';

/** Rows one scan statement reads, and pages one node's scan goes through per pass before the next node's turn. */
const SCAN_ROWS = 1_000;
const PAGES_PER_PASS = 20;
/** Keys whose collection rounds run at once (their messages coalesce per destination). */
const ROUND_KEYS = 256;

/* Collection's messages carry no values (an accept empties the register), so only their count bounds a batch. */
const LIMITS = {
  maxItems: ROUND_KEYS,
  maxBytes: 4 * 1_048_576,
  maxInFlight: 2,
  errorOf: (body: RpcErrorBody) => new AcceptorMessageError(body),
  bytesOf: () => 0,
} as const;

/**
 * Garbage-collects strong keys' acceptor rows that hold no live value (deleted, expired, or only ever
 * read) once nothing has touched them for GEOKV_ACCEPTOR_GC_GRACE_MS. Each pass scans a bounded number of
 * this region's acceptor rows, going on from where the last pass stopped, and for each candidate runs a
 * collection round over every region (libs/caspaxos emptyForCollection: every region's acceptor must
 * promise and accept the empty register, so a region that is cut off or has the key's node down keeps the
 * rows for now), then has every region drop its row. Every region's replicator does this for the rows it
 * holds; two of them on one key at once outbid each other, and both try again a grace period later.
 */
@Injectable()
export class AcceptorCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AcceptorCollector.name);
  private readonly failures = new RepeatedLog((fields) => this.logger.warn(fields, 'acceptor garbage collection stopped short; the next pass goes on'));
  private readonly schedule: PeriodicTask;
  private readonly ballots: BallotSource;
  /** Each message kind's way to every peer region's relay, coalesced per peer. */
  private readonly toPeers: {
    readonly prepare: NodeRequestCoalescer<PrepareRequest, PrepareResult>;
    readonly accept: NodeRequestCoalescer<AcceptRequest, AcceptResult>;
    readonly collect: NodeRequestCoalescer<CollectRequest, CollectResult>;
  };
  /** Where each node's scan goes on at the next pass. */
  private readonly resumeAfter = new Map<string, AcceptorKey>();

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
    private readonly region: RegionViewService,
    private readonly peers: PeerLinks,
    private readonly here: AcceptorRelay,
    @InjectMetric(Metric.acceptorCollectionRounds) private readonly rounds: Counter<string>,
    @InjectMetric(Metric.acceptorRowsDropped) private readonly rowsDropped: Counter<string>,
  ) {
    this.schedule = new PeriodicTask(config.GEOKV_ACCEPTOR_GC_INTERVAL_MS, () => this.pass());
    this.ballots = new BallotSource(`${config.GEOKV_REGION}.gc.${randomBytes(4).toString('hex')}`);
    this.toPeers = {
      prepare: this.peerCoalescer(ReplicationPatterns.acceptorPrepareBatch),
      accept: this.peerCoalescer(ReplicationPatterns.acceptorAcceptBatch),
      collect: this.peerCoalescer(ReplicationPatterns.acceptorCollectBatch),
    };
  }

  onApplicationBootstrap(): void {
    this.schedule.start();
  }

  onApplicationShutdown(): void {
    this.schedule.stop();
  }

  /** One pass over every acceptor node of this region; skipped while acceptor state moves between them or one is down. */
  private async pass(): Promise<void> {
    const nodes = acceptorHolders(this.region.current);
    if (nodes === null) return;
    try {
      for (const node of nodes) await this.passOver(node);
    } catch (error) {
      this.failures.note({ reason: describeFailure(error) });
    }
  }

  private async passOver(node: string): Promise<void> {
    const requestId = `acceptor-gc-${randomUUID().slice(0, 8)}`;
    const nowMs = Date.now();
    const cutOffMs = nowMs - this.config.GEOKV_ACCEPTOR_GC_GRACE_MS;
    for (let page = 0; page < PAGES_PER_PASS; page++) {
      const request: AcceptorCollectionScanRequest = {
        requestId,
        after: this.resumeAfter.get(node) ?? null,
        limit: SCAN_ROWS,
        untouchedSinceCounter: cutOffMs,
        expiredBeforeMs: cutOffMs,
      };
      const scan = await this.local.request<AcceptorCollectionScan>(addressTo(StoragePatterns.acceptorCollectionScan, node), request, this.config.GEOKV_RPC_TIMEOUT_MS);
      for (let from = 0; from < scan.keys.length; from += ROUND_KEYS) await this.collect(requestId, scan.keys.slice(from, from + ROUND_KEYS), cutOffMs);
      if (scan.scannedThrough === null) {
        this.resumeAfter.delete(node);
        return;
      }
      this.resumeAfter.set(node, scan.scannedThrough);
    }
  }

  /** A collection round per key, then every region's drop of the rows the rounds emptied. */
  private async collect(requestId: string, keys: readonly AcceptorKey[], cutOffMs: number): Promise<void> {
    const isGarbage = (value: StrongValue | null): boolean => isGarbageValue(value, cutOffMs);
    const outcomes = await Promise.all(
      keys.map(async (ref): Promise<CollectionOutcome> => emptyForCollection(this.linksFor(requestId, ref), this.ballots.next(Date.now()), isGarbage, cutOffMs)),
    );
    const emptied: { ref: AcceptorKey; ballot: Ballot }[] = [];
    outcomes.forEach((outcome, i) => {
      this.rounds.inc({ outcome: outcome.kind === 'emptied' ? 'emptied' : outcome.reason });
      if (outcome.kind === 'emptied') emptied.push({ ref: keys[i], ballot: outcome.ballot });
    });
    const drops = await Promise.allSettled(
      emptied.flatMap(({ ref, ballot }) => {
        const item: CollectRequest = { requestId, keyspace: ref.keyspace, key: ref.key, ballot };
        return [this.here.collectHere(item), ...this.peers.all.map((link) => this.toPeers.collect.call(link.region, item))];
      }),
    );
    const dropped = drops.filter((drop) => drop.status === 'fulfilled' && drop.value.dropped).length;
    this.rowsDropped.inc(dropped);
    if (emptied.length > 0) this.logger.log({ requestId, keys: keys.length, emptied: emptied.length, rowsDropped: dropped }, 'collected acceptor rows of empty registers');
  }

  /** The key's acceptors: this region's first, then each peer's, as the gateways' proposers have them. */
  private linksFor(requestId: string, ref: AcceptorKey): AcceptorLinks<StrongValue> {
    const { keyspace, key } = ref;
    const peerRegion = (acceptor: number): string => this.peers.all[acceptor - 1].region;
    return {
      count: 1 + this.peers.all.length,
      prepare: (acceptor, ballot) => {
        const item: PrepareRequest = { requestId, keyspace, key, ballot };
        return acceptor === 0 ? this.here.prepareHere(item) : this.toPeers.prepare.call(peerRegion(acceptor), item);
      },
      accept: (acceptor, ballot, value) => {
        const item: AcceptRequest = { requestId, keyspace, key, ballot, value };
        return acceptor === 0 ? this.here.acceptHere(item) : this.toPeers.accept.call(peerRegion(acceptor), item);
      },
    };
  }

  private peerCoalescer<T, R>(pattern: string): NodeRequestCoalescer<T, R> {
    const clientOf = (region: string) => this.peers.all.find((link) => link.region === region)!.client;
    return new NodeRequestCoalescer(
      (region, batch: BatchRequest<T>, timeoutMs) => clientOf(region).request<BatchResponse<R>>(regionAddressed(pattern, region), batch, timeoutMs),
      LIMITS,
      this.config.GEOKV_RPC_TIMEOUT_MS,
    );
  }
}
