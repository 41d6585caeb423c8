import { Inject, Injectable } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { APP_CONFIG, NodeRequestCoalescer, type CoalescingLimits, type PersistentReplyRedisClient } from '@geokv/config';
import {
  acceptorHolders,
  acceptorKeysAsks,
  addressTo,
  ErrorCode,
  isRpcErrorBody,
  StoragePatterns,
  type AcceptRequest,
  type AcceptResult,
  type BatchRequest,
  type BatchResponse,
  type AcceptorKey,
  type AcceptorStatesRequest,
  type CollectRequest,
  type CollectResult,
  type ItemOutcome,
  type ListRequest,
  type NodeAcceptorStates,
  type ListResult,
  type PrepareRequest,
  type PrepareResult,
  type RegionAcceptorKeys,
  type RegionAcceptorStates,
  type RegionAcceptorStatesRequest,
  type RpcErrorBody,
} from '@geokv/protocol';
import { RegionViewService } from '../region/region-view.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import { describeFailure } from '../region/describe-failure';
import { regionStatesPage } from './acceptor-states-page';
import type { ReplicatorConfig } from '../replicator.config';

/** A storage node's refusal of one acceptor message, as its error body. */
export class AcceptorMessageError extends Error {
  constructor(readonly body: RpcErrorBody) {
    super(body.message);
  }
}

/* Acceptor messages are small (a ballot and at most one value), so they are capped by count and bytes. */
const LIMITS = {
  maxItems: 256,
  maxBytes: 4 * 1_048_576,
  maxInFlight: 2,
  errorOf: (body: RpcErrorBody) => new AcceptorMessageError(body),
} as const;
const PREPARES: CoalescingLimits<PrepareRequest> = { ...LIMITS, bytesOf: () => 0 };
const ACCEPTS: CoalescingLimits<AcceptRequest> = { ...LIMITS, bytesOf: (request) => request.value?.value.length ?? 0 };
const COLLECTS: CoalescingLimits<CollectRequest> = { ...LIMITS, bytesOf: () => 0 };

/**
 * Serves a peer region's proposers and collectors, and this region's collector: hands each CASPaxos message
 * to the node that holds the key's acceptor state in this region, coalescing per node. The relay keeps no
 * state; a key whose acceptor is down (or a ring not known yet) gets an error, which the proposer counts as
 * this region's silence.
 */
@Injectable()
export class AcceptorRelay {
  private readonly prepares: NodeRequestCoalescer<PrepareRequest, PrepareResult>;
  private readonly accepts: NodeRequestCoalescer<AcceptRequest, AcceptResult>;
  private readonly collects: NodeRequestCoalescer<CollectRequest, CollectResult>;

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    private readonly region: RegionViewService,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
  ) {
    const deadline = config.GEOKV_RPC_TIMEOUT_MS;
    this.prepares = new NodeRequestCoalescer((node, batch, timeoutMs) => this.send(StoragePatterns.acceptorPrepareBatch, node, batch, timeoutMs), PREPARES, deadline);
    this.accepts = new NodeRequestCoalescer((node, batch, timeoutMs) => this.send(StoragePatterns.acceptorAcceptBatch, node, batch, timeoutMs), ACCEPTS, deadline);
    this.collects = new NodeRequestCoalescer((node, batch, timeoutMs) => this.send(StoragePatterns.acceptorCollectBatch, node, batch, timeoutMs), COLLECTS, deadline);
  }

  prepare(batch: BatchRequest<PrepareRequest>): Promise<BatchResponse<PrepareResult>> {
    return this.relay(batch, this.prepares);
  }

  accept(batch: BatchRequest<AcceptRequest>): Promise<BatchResponse<AcceptResult>> {
    return this.relay(batch, this.accepts);
  }

  /** A peer's garbage collection: drop the rows its collection round emptied here. */
  collect(batch: BatchRequest<CollectRequest>): Promise<BatchResponse<CollectResult>> {
    return this.relay(batch, this.collects);
  }

  /**
   * A peer's listing of a strong keyspace: the page of every node holding this region's acceptor state.
   * Refused while one of them is down or a handover moves state between them; the listing then counts
   * this region out.
   */
  async keys(request: ListRequest): Promise<RegionAcceptorKeys> {
    const asks = acceptorKeysAsks(this.region.current, request);
    if (asks === null) {
      throw new RpcException({ code: ErrorCode.NodeUnavailable, message: `region ${this.config.GEOKV_REGION} cannot list its acceptor keys now: a node holding them is down, or a rebalance is moving them` });
    }
    const listings = await Promise.all(
      asks.nodes.map(async (node) => {
        const page = await this.local.request<ListResult>(addressTo(StoragePatterns.acceptorKeys, node), asks.request, this.config.GEOKV_RPC_TIMEOUT_MS);
        return { node, keys: page.keys };
      }),
    );
    return { listings };
  }

  /**
   * A peer rebuilding a node it lost: a page of this region's acceptor state of that node's keys, from every
   * node holding this region's acceptor state. Refused as a listing is (a node down, or state moving).
   */
  async states(request: RegionAcceptorStatesRequest): Promise<RegionAcceptorStates> {
    const view = this.region.current;
    const nodes = acceptorHolders(view);
    if (view === null || nodes === null) {
      throw new RpcException({ code: ErrorCode.NodeUnavailable, message: `region ${this.config.GEOKV_REGION} cannot read its acceptor state now: a node holding it is down, or a rebalance is moving it` });
    }
    const { firstPage, ...asked } = request;
    const lastRebalanceId = firstPage ? view.lastRebalanceId : asked.lastRebalanceId;
    const ask: AcceptorStatesRequest = { ...asked, lastRebalanceId };
    const pages = await Promise.all(
      nodes.map((node) => this.local.request<NodeAcceptorStates>(addressTo(StoragePatterns.acceptorStates, node), ask, this.config.GEOKV_RPC_TIMEOUT_MS)),
    );
    return { ...regionStatesPage(pages), lastRebalanceId };
  }

  /** One message to the key's acceptor node in this region; rejects (AcceptorMessageError when it refused) if it does not answer it. */
  prepareHere(item: PrepareRequest): Promise<PrepareResult> {
    return this.toAcceptor(item, this.prepares);
  }

  acceptHere(item: AcceptRequest): Promise<AcceptResult> {
    return this.toAcceptor(item, this.accepts);
  }

  collectHere(item: CollectRequest): Promise<CollectResult> {
    return this.toAcceptor(item, this.collects);
  }

  private toAcceptor<T extends AcceptorKey, R>(item: T, coalescer: NodeRequestCoalescer<T, R>): Promise<R> {
    const node = this.region.acceptorOf(item.keyspace, item.key);
    if (node === null) {
      const message = `the acceptor of this key in region ${this.config.GEOKV_REGION} is down or unknown`;
      return Promise.reject(new AcceptorMessageError({ code: ErrorCode.NodeUnavailable, message }));
    }
    return coalescer.call(node, item);
  }

  private async relay<T extends AcceptorKey, R>(batch: BatchRequest<T>, coalescer: NodeRequestCoalescer<T, R>): Promise<BatchResponse<R>> {
    const outcomes = await Promise.all(
      batch.items.map(async (item): Promise<ItemOutcome<R>> => {
        try {
          return { ok: true, value: await this.toAcceptor(item, coalescer) };
        } catch (error) {
          if (error instanceof AcceptorMessageError) return { ok: false, error: error.body };
          if (isRpcErrorBody(error)) return { ok: false, error };
          return { ok: false, error: { code: ErrorCode.NodeUnavailable, message: describeFailure(error) } };
        }
      }),
    );
    return { outcomes };
  }

  private send<T, R>(pattern: string, node: string, batch: BatchRequest<T>, timeoutMs: number): Promise<BatchResponse<R>> {
    return this.local.request<BatchResponse<R>>(addressTo(pattern, node), batch, timeoutMs);
  }
}
