import { Controller, Logger, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  StoragePatterns,
  type BatchRequest,
  type BatchResponse,
  type ItemOutcome,
  type ListRequest,
  type ListResult,
  type OpenConflictsRequest,
  type OpenConflictsResult,
  type ReplicaRead,
  type ReplicaReadResult,
  type ReplicaWrite,
  type ReplicaWriteResult,
  type ReadRequest,
  type ReadResult,
  type WriteRequest,
  type WriteResult,
} from '@geokv/protocol';
import { KvService } from './kv.service';
import { rpcErrorBodyOf } from './rpc-error-body';
import { StorageRpcErrorFilter } from './storage-rpc-error.filter';

/** Node-addressed request handlers; the node's AddressedRedisServer fills in its id. */
@Controller()
@UseFilters(StorageRpcErrorFilter)
export class KvController {
  private readonly logger = new Logger(KvController.name);

  constructor(private readonly kv: KvService) {}

  @MessagePattern(StoragePatterns.write)
  write(@Payload() request: WriteRequest): Promise<WriteResult> {
    return this.kv.write(request);
  }

  @MessagePattern(StoragePatterns.read)
  read(@Payload() request: ReadRequest): Promise<ReadResult> {
    return this.kv.read(request);
  }

  /** The writes of one message all join the group commit together, and each gets its own outcome. */
  @MessagePattern(StoragePatterns.writeBatch)
  writeBatch(@Payload() batch: BatchRequest<WriteRequest>): Promise<BatchResponse<WriteResult>> {
    return this.each(batch, (request) => this.kv.write(request));
  }

  @MessagePattern(StoragePatterns.readBatch)
  readBatch(@Payload() batch: BatchRequest<ReadRequest>): Promise<BatchResponse<ReadResult>> {
    return this.each(batch, (request) => this.kv.read(request));
  }

  /** Versions from the key's coordinator (a write, a read repair, a hinted or rebalancing handoff). */
  @MessagePattern(StoragePatterns.replicaWriteBatch)
  replicaWriteBatch(@Payload() batch: BatchRequest<ReplicaWrite>): Promise<BatchResponse<ReplicaWriteResult>> {
    return this.each(batch, (write) => this.kv.writeReplica(write));
  }

  @MessagePattern(StoragePatterns.replicaReadBatch)
  replicaReadBatch(@Payload() batch: BatchRequest<ReplicaRead>): Promise<BatchResponse<ReplicaReadResult>> {
    return this.each(batch, (read) => this.kv.readReplica(read));
  }

  @MessagePattern(StoragePatterns.openConflicts)
  async openConflicts(@Payload() request: OpenConflictsRequest): Promise<OpenConflictsResult> {
    return { conflicts: await this.kv.openConflicts(request.limit) };
  }

  @MessagePattern(StoragePatterns.list)
  list(@Payload() request: ListRequest): Promise<ListResult> {
    return this.kv.list(request);
  }

  private async each<T extends { requestId: string }, R>(
    batch: BatchRequest<T>,
    handle: (request: T) => Promise<R>,
  ): Promise<BatchResponse<R>> {
    const outcomes = await Promise.all(
      batch.items.map((request) =>
        handle(request).then(
          (value): ItemOutcome<R> => ({ ok: true, value }),
          (error: unknown): ItemOutcome<R> => ({ ok: false, error: rpcErrorBodyOf(error, request.requestId, this.logger) }),
        ),
      ),
    );
    return { outcomes };
  }
}
