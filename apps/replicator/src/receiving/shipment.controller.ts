import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { APP_CONFIG, type PersistentReplyRedisClient } from '@geokv/config';
import {
  MembershipPatterns,
  ReplicationPatterns,
  type AcceptRequest,
  type AcceptResult,
  type AdoptDefinitionsRequest,
  type BatchRequest,
  type BatchResponse,
  type CollectRequest,
  type CollectResult,
  type PrepareRequest,
  type PrepareResult,
  type AdoptDefinitionsResult,
  type AntiEntropyReport,
  type BucketVersionsResult,
  type RegionBucketVersionsRequest,
  type RegionBucketVersionsStep,
  type RegionDigestsRequest,
  type RegionDigestsStep,
  type KeyspacesShipment,
  type KeyVersionsRequest,
  type ListRequest,
  type MajorityReadResult,
  type RegionAcceptorKeys,
  type RegionAcceptorStates,
  type RegionAcceptorStatesRequest,
  type ReplicationStatus,
  type ShipmentRequest,
  type ShipmentResult,
} from '@geokv/protocol';
import { AcceptorRelay } from '../acceptors/acceptor-relay.service';
import { AntiEntropyService } from '../anti-entropy/anti-entropy.service';
import { MajorityReadService } from '../majority/majority-read.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import type { ReplicatorConfig } from '../replicator.config';
import { OutboxShipper } from '../shipping/outbox-shipper.service';
import { RemoteApplier } from './remote-applier.service';

/** Region-addressed handlers: shipments from peers, and the status view for this region's gateway. */
@Controller()
export class ShipmentController {
  constructor(
    private readonly applier: RemoteApplier,
    private readonly shipper: OutboxShipper,
    private readonly antiEntropy: AntiEntropyService,
    private readonly majority: MajorityReadService,
    private readonly acceptors: AcceptorRelay,
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
  ) {}

  /** A peer's outbox shipment: answered once it is durable on a write quorum of each key's replicas here. */
  @MessagePattern(ReplicationPatterns.ship)
  ship(@Payload() shipment: ShipmentRequest): Promise<ShipmentResult> {
    return this.applier.apply(shipment, 'at-quorum');
  }

  /** A peer's keyspace definitions: membership adopts those newer than its own. */
  @MessagePattern(ReplicationPatterns.keyspaces)
  keyspaces(@Payload() shipment: KeyspacesShipment): Promise<AdoptDefinitionsResult> {
    const request: AdoptDefinitionsRequest = { requestId: shipment.requestId, definitions: shipment.definitions };
    return this.local.request(MembershipPatterns.adoptDefinitions, request, this.config.GEOKV_RPC_TIMEOUT_MS);
  }

  /** A peer's anti-entropy run scans this region's bucket digests, step by step... */
  @MessagePattern(ReplicationPatterns.regionDigests)
  regionDigests(@Payload() request: RegionDigestsRequest): Promise<RegionDigestsStep> {
    return this.antiEntropy.digestStep(request.remaining);
  }

  /** ...and then, step by step too, for its versions in the buckets that differ. */
  @MessagePattern(ReplicationPatterns.bucketVersions)
  bucketVersions(@Payload() request: RegionBucketVersionsRequest): Promise<RegionBucketVersionsStep> {
    return this.antiEntropy.bucketVersionsStep(request.buckets, request.remaining);
  }

  /** POST /v1/admin/anti-entropy, through this region's gateway. */
  @MessagePattern(ReplicationPatterns.antiEntropy)
  antiEntropyNow(): Promise<AntiEntropyReport> {
    return this.antiEntropy.run();
  }

  /** A peer's majority read asks for this region's versions of one key. */
  @MessagePattern(ReplicationPatterns.keyVersions)
  keyVersions(@Payload() request: KeyVersionsRequest): Promise<BucketVersionsResult> {
    return this.majority.localVersions(request);
  }

  /** This region's gateway, before a read with X-Consistency: strong. */
  @MessagePattern(ReplicationPatterns.majorityRead)
  majorityRead(@Payload() request: KeyVersionsRequest): Promise<MajorityReadResult> {
    return this.majority.prepare(request);
  }

  /** A peer's proposer, phase 1 on this region's acceptors. */
  @MessagePattern(ReplicationPatterns.acceptorPrepareBatch)
  acceptorPrepare(@Payload() batch: BatchRequest<PrepareRequest>): Promise<BatchResponse<PrepareResult>> {
    return this.acceptors.prepare(batch);
  }

  /** A peer's proposer, phase 2. */
  @MessagePattern(ReplicationPatterns.acceptorAcceptBatch)
  acceptorAccept(@Payload() batch: BatchRequest<AcceptRequest>): Promise<BatchResponse<AcceptResult>> {
    return this.acceptors.accept(batch);
  }

  /** A peer's garbage collection: drop the rows its collection round emptied on this region's acceptors. */
  @MessagePattern(ReplicationPatterns.acceptorCollectBatch)
  acceptorCollect(@Payload() batch: BatchRequest<CollectRequest>): Promise<BatchResponse<CollectResult>> {
    return this.acceptors.collect(batch);
  }

  /** A peer's listing of a strong keyspace. */
  @MessagePattern(ReplicationPatterns.acceptorKeys)
  acceptorKeys(@Payload() request: ListRequest): Promise<RegionAcceptorKeys> {
    return this.acceptors.keys(request);
  }

  /** A peer rebuilding a node it lost: this region's acceptor state of that node's keys. */
  @MessagePattern(ReplicationPatterns.acceptorStates)
  acceptorStates(@Payload() request: RegionAcceptorStatesRequest): Promise<RegionAcceptorStates> {
    return this.acceptors.states(request);
  }

  @MessagePattern(ReplicationPatterns.status)
  status(): ReplicationStatus {
    return this.shipper.status();
  }
}
