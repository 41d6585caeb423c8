import { Inject, Injectable } from '@nestjs/common';
import type { AcceptorLinks, Ballot } from '@geokv/caspaxos';
import { APP_CONFIG, NodeRequestCoalescer, type CoalescingLimits } from '@geokv/config';
import {
  addressTo,
  ErrorCode,
  regionAddressed,
  ReplicationPatterns,
  StoragePatterns,
  type AcceptRequest,
  type AcceptResult,
  type BatchRequest,
  type BatchResponse,
  type PrepareRequest,
  type PrepareResult,
  type RpcErrorBody,
  type StrongValue,
} from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import type { GatewayConfig } from '../gateway.config';
import { RingViewService } from '../ring/ring-view.service';
import { RpcClient } from '../rpc/rpc-client';
import { PeerTransports } from './peer-transports';
import { RecentAnswers } from './recent-answers';

const errorOf = (body: RpcErrorBody): Error => new ApiError(body.code, body.message);
/*
 * Acceptor messages are coalesced per destination (a local node, or a peer region's relay) like the
 * eventual path's: under load one Redis message and one PostgreSQL statement carry many keys' phases.
 * More messages in flight than the eventual path's two: a phase's round trip crosses regions, and the
 * next batch should not wait for it.
 */
const LIMITS = { maxItems: 256, maxBytes: 4 * 1_048_576, maxInFlight: 4, errorOf } as const;
const PREPARES: CoalescingLimits<PrepareRequest> = { ...LIMITS, bytesOf: () => 0 };
const ACCEPTS: CoalescingLimits<AcceptRequest> = { ...LIMITS, bytesOf: (request) => request.value?.value.length ?? 0 };

interface Destination {
  readonly prepares: NodeRequestCoalescer<PrepareRequest, PrepareResult>;
  readonly accepts: NodeRequestCoalescer<AcceptRequest, AcceptResult>;
}

/**
 * The acceptors of a strong key: this region's (the key's primary storage node, reached directly) and one
 * per peer region (reached through the peer's replicator, which knows its own ring). Every message has
 * the phase deadline; a failed or late one is that region's silence.
 */
@Injectable()
export class RegionAcceptors {
  private readonly local: Destination;
  private readonly peers: readonly Destination[];
  private readonly peerRegions: readonly string[];
  private readonly answers: RecentAnswers;

  constructor(
    private readonly ring: RingViewService,
    rpc: RpcClient,
    transports: PeerTransports,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {
    const phaseTimeout = config.GEOKV_STRONG_PHASE_TIMEOUT_MS;
    this.local = {
      prepares: new NodeRequestCoalescer(
        (node, batch, timeoutMs) => rpc.request(addressTo(StoragePatterns.acceptorPrepareBatch, node), batch, StoragePatterns.acceptorPrepareBatch, timeoutMs),
        PREPARES,
        phaseTimeout,
      ),
      accepts: new NodeRequestCoalescer(
        (node, batch, timeoutMs) => rpc.request(addressTo(StoragePatterns.acceptorAcceptBatch, node), batch, StoragePatterns.acceptorAcceptBatch, timeoutMs),
        ACCEPTS,
        phaseTimeout,
      ),
    };
    this.peers = transports.peers.map(({ client }) => {
      const send = <T, R>(pattern: string) => (region: string, batch: BatchRequest<T>, timeoutMs: number): Promise<BatchResponse<R>> =>
        client.request<BatchResponse<R>>(regionAddressed(pattern, region), batch, timeoutMs);
      return {
        prepares: new NodeRequestCoalescer(send<PrepareRequest, PrepareResult>(ReplicationPatterns.acceptorPrepareBatch), PREPARES, phaseTimeout),
        accepts: new NodeRequestCoalescer(send<AcceptRequest, AcceptResult>(ReplicationPatterns.acceptorAcceptBatch), ACCEPTS, phaseTimeout),
      };
    });
    this.peerRegions = transports.peers.map((peer) => peer.region);
    this.answers = new RecentAnswers(1 + this.peers.length);
  }

  /** Whether a majority of regions' acceptors answered this gateway within the last phase timeout (see RecentAnswers). */
  majorityAnsweredRecently(): boolean {
    return this.answers.majorityWithin(Date.now(), this.config.GEOKV_STRONG_PHASE_TIMEOUT_MS);
  }

  /** The acceptors of one key, in a fixed order: this region first, then each peer. */
  linksFor(requestId: string, keyspace: string, key: string): AcceptorLinks<StrongValue> {
    const route = (acceptor: number): { destination: Destination; address: string } | null => {
      if (acceptor > 0) return { destination: this.peers[acceptor - 1], address: this.peerRegions[acceptor - 1] };
      const node = this.ring.acceptorOf(keyspace, key);
      return node === null ? null : { destination: this.local, address: node };
    };
    const down = (): Promise<never> =>
      Promise.reject(new ApiError(ErrorCode.NodeUnavailable, `the acceptor of this key in region ${this.config.GEOKV_REGION} is down`));
    const answered = <T>(acceptor: number, reply: Promise<T>): Promise<T> =>
      reply.then((answer) => {
        this.answers.record(acceptor, Date.now());
        return answer;
      });
    return {
      count: 1 + this.peers.length,
      prepare: (acceptor: number, ballot: Ballot) => {
        const to = route(acceptor);
        return to === null ? down() : answered(acceptor, to.destination.prepares.call(to.address, { requestId, keyspace, key, ballot }));
      },
      accept: (acceptor: number, ballot: Ballot, value: StrongValue | null, promiseNext: Ballot | null) => {
        const to = route(acceptor);
        return to === null ? down() : answered(acceptor, to.destination.accepts.call(to.address, { requestId, keyspace, key, ballot, value, promiseNext }));
      },
    };
  }
}
