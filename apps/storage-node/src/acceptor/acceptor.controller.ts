import { Controller, Logger, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  acceptorNodeOf,
  ErrorCode,
  StoragePatterns,
  type AcceptRequest,
  type AcceptResult,
  type BatchRequest,
  type BatchResponse,
  type ItemOutcome,
  type PrepareRequest,
  type PrepareResult,
} from '@geokv/protocol';
import { rpcErrorBodyOf } from '../kv/rpc-error-body';
import { StorageRpcErrorFilter } from '../kv/storage-rpc-error.filter';
import { RegionView } from '../region/region-view.service';
import { AcceptorStore } from './acceptor-store';

/**
 * CASPaxos acceptor messages for the strong keys whose primary replica this node is. A key this node does
 * not own in its view of the ring is refused (NOT_ACCEPTOR): a proposer with a stale ring must not create
 * a second acceptor for the key in this region.
 */
@Controller()
@UseFilters(StorageRpcErrorFilter)
export class AcceptorController {
  private readonly logger = new Logger(AcceptorController.name);

  constructor(
    private readonly store: AcceptorStore,
    private readonly region: RegionView,
  ) {}

  @MessagePattern(StoragePatterns.acceptorPrepareBatch)
  prepare(@Payload() batch: BatchRequest<PrepareRequest>): Promise<BatchResponse<PrepareResult>> {
    return this.owned(batch.items, (items) => this.store.prepare(items));
  }

  @MessagePattern(StoragePatterns.acceptorAcceptBatch)
  accept(@Payload() batch: BatchRequest<AcceptRequest>): Promise<BatchResponse<AcceptResult>> {
    return this.owned(batch.items, (items) => this.store.accept(items));
  }

  private async owned<T extends PrepareRequest | AcceptRequest, R>(items: readonly T[], run: (owned: T[]) => Promise<R[]>): Promise<BatchResponse<R>> {
    const outcomes: ItemOutcome<R>[] = new Array<ItemOutcome<R>>(items.length);
    const owned: T[] = [];
    const positions: number[] = [];
    items.forEach((item, position) => {
      if (acceptorNodeOf(this.region.ring, item.keyspace, item.key) === this.region.self) {
        owned.push(item);
        positions.push(position);
      } else {
        outcomes[position] = { ok: false, error: { code: ErrorCode.NotAcceptor, message: `node ${this.region.self} is not the acceptor of this key in its ring (epoch ${this.region.epoch})` } };
      }
    });
    if (owned.length > 0) {
      try {
        const results = await run(owned);
        results.forEach((value, i) => (outcomes[positions[i]] = { ok: true, value }));
      } catch (error) {
        const body = rpcErrorBodyOf(error, owned[0].requestId, this.logger);
        positions.forEach((position) => (outcomes[position] = { ok: false, error: body }));
      }
    }
    return { outcomes };
  }
}
