import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, NodeRequestCoalescer, type CoalescingLimits, type PersistentReplyRedisClient } from '@geokv/config';
import {
  addressTo,
  StoragePatterns,
  type AcceptorHandover,
  type BatchResponse,
  type ReplicaRead,
  type ReplicaReadResult,
  type ReplicaWrite,
  type ReplicaWriteResult,
  type RpcErrorBody,
  valueBytesOf,
} from '@geokv/protocol';
import { StorageError } from '../kv/storage-errors';
import type { StorageNodeConfig } from '../storage-node.config';
import { REGION_TRANSPORT } from './tokens';

/*
 * Replica messages are coalesced per node like the gateway's: a busy coordinator sends each other replica
 * one message per group commit rather than one per write. Writes are capped by value bytes, reads by count
 * and by the recent replies' size (their values are known only once answered); see the gateway's limits.
 */
const errorOf = (body: RpcErrorBody): Error => new StorageError(body.code, body.message);
const WRITES: CoalescingLimits<ReplicaWrite> = {
  maxItems: 512,
  maxBytes: 4 * 1_048_576,
  bytesOf: (write) => write.version.value?.length ?? 0,
  maxInFlight: 2,
  errorOf,
};
const READS: CoalescingLimits<ReplicaRead, ReplicaReadResult> = {
  maxItems: 16,
  maxBytes: 4 * 1_048_576,
  bytesOf: () => 0,
  replyBytesOf: (result) => valueBytesOf(result.versions),
  maxInFlight: 2,
  errorOf,
};

/** Messages from this node to the other replicas of a key, each with the replica deadline. */
@Injectable()
export class ReplicaClient {
  private readonly writes: NodeRequestCoalescer<ReplicaWrite, ReplicaWriteResult>;
  private readonly reads: NodeRequestCoalescer<ReplicaRead, ReplicaReadResult>;
  private readonly deadline: number;

  constructor(
    @Inject(REGION_TRANSPORT) private readonly transport: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) config: StorageNodeConfig,
  ) {
    const deadline = config.GEOKV_REPLICA_TIMEOUT_MS;
    this.deadline = deadline;
    this.writes = new NodeRequestCoalescer((node, batch, timeoutMs) => this.send(StoragePatterns.replicaWriteBatch, node, batch, timeoutMs), WRITES, deadline);
    this.reads = new NodeRequestCoalescer((node, batch, timeoutMs) => this.send(StoragePatterns.replicaReadBatch, node, batch, timeoutMs), READS, deadline);
  }

  write(node: string, write: ReplicaWrite): Promise<ReplicaWriteResult> {
    return this.writes.call(node, write);
  }

  read(node: string, read: ReplicaRead): Promise<ReplicaReadResult> {
    return this.reads.call(node, read);
  }

  /** Resolves once the node has merged the handed-over acceptor state durably. */
  async handOverAcceptors(node: string, handover: AcceptorHandover): Promise<void> {
    await this.send(StoragePatterns.acceptorHandover, node, handover, this.deadline);
  }

  private send<R>(pattern: string, node: string, payload: object, timeoutMs: number): Promise<BatchResponse<R>> {
    return this.transport.request<BatchResponse<R>>(addressTo(pattern, node), payload, timeoutMs);
  }
}
