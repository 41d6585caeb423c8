import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  StoragePatterns,
  type ApplyRemoteRequest,
  type ApplyRemoteResult,
  type BucketDigestsRequest,
  type BucketDigestsResult,
  type BucketVersionsRequest,
  type NodeBucketVersions,
  type KeyVersionsRequest,
  type ReplicatedVersion,
  type CollectGarbageRequest,
  type CollectGarbageResult,
  type OutboxAckRequest,
  type OutboxReadRequest,
  type OutboxReadResult,
} from '@geokv/protocol';
import { StorageRpcErrorFilter } from '../kv/storage-rpc-error.filter';
import { AntiEntropyService } from './anti-entropy.service';
import { GarbageCollector } from './garbage-collector';
import { ReplicationService } from './replication.service';

/** Node-addressed handlers for the region's replicator. */
@Controller()
@UseFilters(StorageRpcErrorFilter)
export class ReplicationController {
  constructor(
    private readonly replication: ReplicationService,
    private readonly garbage: GarbageCollector,
    private readonly antiEntropy: AntiEntropyService,
  ) {}

  @MessagePattern(StoragePatterns.outboxRead)
  read(@Payload() request: OutboxReadRequest): Promise<OutboxReadResult> {
    return this.replication.readOutbox(request);
  }

  /** Kept for replicators of an earlier release while a region upgrades: this release's acknowledge with the read. */
  @MessagePattern(StoragePatterns.outboxAck)
  async acknowledge(@Payload() request: OutboxAckRequest): Promise<{ acknowledged: true }> {
    await this.replication.acknowledge(request.peer, request.position);
    return { acknowledged: true };
  }

  @MessagePattern(StoragePatterns.collectGarbage)
  collectGarbage(@Payload() request: CollectGarbageRequest): Promise<CollectGarbageResult> {
    return this.garbage.collect(request);
  }

  @MessagePattern(StoragePatterns.bucketDigests)
  bucketDigests(@Payload() request: BucketDigestsRequest): Promise<BucketDigestsResult> {
    return this.antiEntropy.bucketDigests(request);
  }

  @MessagePattern(StoragePatterns.bucketVersions)
  bucketVersions(@Payload() request: BucketVersionsRequest): Promise<NodeBucketVersions> {
    return this.antiEntropy.bucketVersions(request);
  }

  @MessagePattern(StoragePatterns.keyVersions)
  async keyVersions(@Payload() request: KeyVersionsRequest): Promise<{ versions: ReplicatedVersion[] }> {
    return { versions: await this.replication.keyVersions(request) };
  }

  @MessagePattern(StoragePatterns.applyRemote)
  apply(@Payload() request: ApplyRemoteRequest): Promise<ApplyRemoteResult> {
    return this.replication.applyRemote(request);
  }
}
