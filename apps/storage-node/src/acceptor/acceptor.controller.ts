import { Controller, Logger, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  answersAsAcceptor,
  ErrorCode,
  heldByLostAcceptor,
  requestIdsOf,
  StoragePatterns,
  targetAcceptorNodeOf,
  type AcceptorCollectionScan,
  type AcceptorCollectionScanRequest,
  type AcceptorHandover,
  type AcceptRequest,
  type AcceptResult,
  type BatchRequest,
  type BatchResponse,
  type CollectRequest,
  type CollectResult,
  type ItemOutcome,
  type AcceptorKeysRequest,
  type AcceptorStatesRequest,
  type ListResult,
  type NodeAcceptorStates,
  type PrepareRequest,
  type PrepareResult,
} from '@geokv/protocol';
import { SEND_BYTES_IN_FLIGHT } from '../handoff/send-budget';
import { rpcErrorBodyOf } from '../kv/rpc-error-body';
import { StorageError } from '../kv/storage-errors';
import { StorageRpcErrorFilter } from '../kv/storage-rpc-error.filter';
import { AcceptorLease } from '../region/acceptor-lease';
import { RegionView } from '../region/region-view.service';
import { AcceptorStore } from './acceptor-store';
import { AcceptorsInFlight } from './acceptors-in-flight';

/**
 * CASPaxos acceptor messages for the strong keys whose primary replica this node is. A key this node does
 * not own in its view of the ring is refused (NOT_ACCEPTOR): a proposer with a stale ring must not create
 * a second acceptor for the key in this region. So is a key whose acceptor state a rebalance is handing
 * to another node (see answersAsAcceptor), and every key while the node's lease has lapsed (see
 * AcceptorLease): its view may be old.
 */
@Controller()
@UseFilters(StorageRpcErrorFilter)
export class AcceptorController {
  private readonly logger = new Logger(AcceptorController.name);

  constructor(
    private readonly store: AcceptorStore,
    private readonly region: RegionView,
    private readonly inFlight: AcceptorsInFlight,
    private readonly lease: AcceptorLease,
  ) {}

  @MessagePattern(StoragePatterns.acceptorPrepareBatch)
  prepare(@Payload() batch: BatchRequest<PrepareRequest>): Promise<BatchResponse<PrepareResult>> {
    return this.owned(batch.items, (items) => this.store.prepare(items));
  }

  @MessagePattern(StoragePatterns.acceptorAcceptBatch)
  accept(@Payload() batch: BatchRequest<AcceptRequest>): Promise<BatchResponse<AcceptResult>> {
    return this.owned(batch.items, (items) => this.store.accept(items));
  }

  /**
   * A listing's page of the strong keyspace's keys whose acceptor state this node holds. Refused while
   * acceptor state moves, or when the asker has not seen the last rebalance this node has seen finish: the
   * keys it handed over are on a node the asker would not ask.
   */
  @MessagePattern(StoragePatterns.acceptorKeys)
  async keys(@Payload() request: AcceptorKeysRequest): Promise<ListResult> {
    this.refuseOtherViews(request.lastRebalanceId, 'list its acceptor keys');
    return { keys: await this.store.listKeys(request.keyspace, request.prefix, request.after, request.limit) };
  }

  /**
   * A peer region rebuilding a node it lost: the acceptor state this node holds of that node's keys, among
   * the next `limit` rows after `after`. Refused as a listing is, for the same reason.
   */
  @MessagePattern(StoragePatterns.acceptorStates)
  async states(@Payload() request: AcceptorStatesRequest): Promise<NodeAcceptorStates> {
    this.refuseOtherViews(request.lastRebalanceId, 'scan its acceptor state');
    const page = await this.store.scan(request.after, request.limit, heldByLostAcceptor(request.lost), SEND_BYTES_IN_FLIGHT);
    return { ...page, floor: await this.store.floor() };
  }

  /** Garbage collection's look at this node's next acceptor rows: which are worth a collection round. */
  @MessagePattern(StoragePatterns.acceptorCollectionScan)
  collectionScan(@Payload() request: AcceptorCollectionScanRequest): Promise<AcceptorCollectionScan> {
    return this.store.collectionScan(request);
  }

  /**
   * Garbage collection's drop of rows a collection round emptied: refused, like a phase, for keys this node
   * does not answer for, so that a row a handover is copying stays as it was copied.
   */
  @MessagePattern(StoragePatterns.acceptorCollectBatch)
  collect(@Payload() batch: BatchRequest<CollectRequest>): Promise<BatchResponse<CollectResult>> {
    return this.owned(batch.items, (items) => this.store.collect(items));
  }

  /**
   * A rebalance's handover: the acceptor state of keys whose new acceptor this node is, from their old one.
   * Refused unless this node's view is in the same rebalance's `acceptors` phase and names it the new
   * acceptor of every key (the sender retries); answered once merged durably.
   */
  @MessagePattern(StoragePatterns.acceptorHandover)
  async adopt(@Payload() handover: AcceptorHandover): Promise<{ merged: number }> {
    const rebalance = this.region.current?.rebalance;
    if (rebalance?.id !== handover.rebalanceId || rebalance.phase !== 'acceptors') {
      throw new StorageError(ErrorCode.NotAcceptor, `node ${this.region.self} is not in the acceptors phase of rebalance ${handover.rebalanceId} (ring epoch ${this.region.epoch})`);
    }
    const foreign = handover.records.find((record) => targetAcceptorNodeOf(this.region.ring, record.keyspace, record.key) !== this.region.self);
    if (foreign !== undefined) throw new StorageError(ErrorCode.NotAcceptor, `node ${this.region.self} is not the new acceptor of every handed-over key`);
    await this.store.merge(handover.records, handover.floor ?? null);
    return { merged: handover.records.length };
  }

  /** Refuses while acceptor state moves here, or when the asker has not seen the same rebalances finish as this node. */
  private refuseOtherViews(lastRebalanceId: number | null, what: string): void {
    const view = this.region.current;
    if (view?.rebalance?.phase === 'acceptors' || (view?.lastRebalanceId ?? null) !== lastRebalanceId) {
      throw new StorageError(ErrorCode.NotAcceptor, `node ${this.region.self} cannot ${what} for a view of the ring other than its own (epoch ${this.region.epoch})`);
    }
  }

  private async owned<T extends PrepareRequest | AcceptRequest | CollectRequest, R>(items: readonly T[], run: (owned: T[]) => Promise<R[]>): Promise<BatchResponse<R>> {
    const outcomes: ItemOutcome<R>[] = new Array<ItemOutcome<R>>(items.length);
    const owned: T[] = [];
    const positions: number[] = [];
    const leased = this.lease.holds();
    items.forEach((item, position) => {
      if (!leased) {
        outcomes[position] = { ok: false, error: { code: ErrorCode.NotAcceptor, message: lapsedLease(this.region.self) } };
      } else if (this.region.isDeleted(item.keyspace)) {
        outcomes[position] = { ok: false, error: { code: ErrorCode.KeyspaceNotFound, message: `keyspace '${item.keyspace}' was deleted` } };
      } else if (answersAsAcceptor(this.region.current, this.region.ring, this.region.self, item.keyspace, item.key)) {
        owned.push(item);
        positions.push(position);
      } else {
        outcomes[position] = {
          ok: false,
          error: { code: ErrorCode.NotAcceptor, message: `node ${this.region.self} does not answer as the acceptor of this key in its ring (epoch ${this.region.epoch})` },
        };
      }
    });
    if (owned.length > 0) {
      try {
        const results = await this.inFlight.track(run(owned));
        // A node frozen while the statement ran answers nothing it decided under a view it can no longer vouch for.
        if (!this.lease.holds()) throw new StorageError(ErrorCode.NotAcceptor, lapsedLease(this.region.self));
        results.forEach((value, i) => (outcomes[positions[i]] = { ok: true, value }));
      } catch (error) {
        const body = rpcErrorBodyOf(error, requestIdsOf(owned), this.logger);
        positions.forEach((position) => (outcomes[position] = { ok: false, error: body }));
      }
    }
    return { outcomes };
  }
}

function lapsedLease(node: string): string {
  return `node ${node} has not had its view of the ring confirmed by membership lately (its acceptor lease has lapsed)`;
}
