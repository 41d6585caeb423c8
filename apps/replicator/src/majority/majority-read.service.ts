import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { APP_CONFIG, firstToSucceed, type PersistentReplyRedisClient } from '@geokv/config';
import {
  addressTo,
  ErrorCode,
  regionAddressed,
  ReplicationPatterns,
  StoragePatterns,
  type BucketVersionsResult,
  type KeyVersionsRequest,
  type MajorityReadResult,
  type ReplicatedVersion,
} from '@geokv/protocol';
import { RemoteApplier } from '../receiving/remote-applier.service';
import { RegionViewService } from '../region/region-view.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import { describeFailure } from '../region/describe-failure';
import type { ReplicatorConfig } from '../replicator.config';
import { PeerLinks } from '../shipping/peer-links';

/**
 * `X-Consistency: strong` on an eventual keyspace: before the gateway reads the key here, this region
 * takes the key's versions from enough peers to make a majority of regions (itself included) and merges
 * them into its own copy, durably, with the same merge as replication. The read that follows therefore
 * returns the causally newest version a majority holds, or the siblings when they are concurrent. Without
 * a majority it fails with NO_QUORUM rather than answer from a minority.
 */
@Injectable()
export class MajorityReadService {
  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
    private readonly region: RegionViewService,
    private readonly peers: PeerLinks,
    private readonly applier: RemoteApplier,
  ) {}

  /** This region's versions of the key, with their keyspace's strategy: what a peer's majority read takes. */
  async localVersions(request: KeyVersionsRequest): Promise<BucketVersionsResult> {
    const owner = this.region.readCoordinatorOf(request.keyspace, request.key);
    if (owner === null) throw new RpcException({ code: ErrorCode.InsufficientReplicas, message: 'no replica of the key is up in this region' });
    // The node merges a read quorum of the key's replicas here, so the region answers with what it holds.
    const quorumRead: KeyVersionsRequest = {
      ...request,
      replication: this.region.replicationOf(request.keyspace, 'read'),
      conflictResolution: this.region.strategyOf(request.keyspace) ?? 'lww',
    };
    const { versions } = await this.local.request<{ versions: ReplicatedVersion[] }>(
      addressTo(StoragePatterns.keyVersions, owner),
      quorumRead,
      this.config.GEOKV_RPC_TIMEOUT_MS,
    );
    return { versions, strategies: this.region.strategiesFor([request.keyspace]) };
  }

  async prepare(request: KeyVersionsRequest): Promise<MajorityReadResult> {
    const regions = this.peers.all.length + 1;
    const needed = Math.floor(regions / 2) + 1;
    const answers = await this.firstPeerAnswers(request, needed - 1);
    for (const { peer, result } of answers) {
      if (result.versions.length === 0) continue;
      await this.applier.apply({ requestId: request.requestId, sourceRegion: peer, versions: result.versions, strategies: result.strategies });
    }
    return { regions: [this.config.GEOKV_REGION, ...answers.map((answer) => answer.peer)] };
  }

  /** The first `count` peers to answer; NO_QUORUM as soon as too many have failed for `count` to answer. */
  private async firstPeerAnswers(request: KeyVersionsRequest, count: number): Promise<{ peer: string; result: BucketVersionsResult }[]> {
    if (count === 0) return [];
    const links = this.peers.all;
    const asked = links.map(async (link) => {
      const peerRequest: KeyVersionsRequest = { ...request, requestId: `${request.requestId}-${randomUUID().slice(0, 8)}` };
      try {
        const result = await link.client.request<BucketVersionsResult>(regionAddressed(ReplicationPatterns.keyVersions, link.region), peerRequest, this.config.GEOKV_MAJORITY_READ_TIMEOUT_MS);
        return { peer: link.region, result };
      } catch (error) {
        throw new Error(`${link.region}: ${describeFailure(error)}`);
      }
    });
    const answered = await firstToSucceed(asked, count);
    if ('values' in answered) return answered.values;
    const failures = answered.errors.map((error) => (error as Error).message);
    throw new RpcException({
      code: ErrorCode.NoQuorum,
      message: `region ${this.config.GEOKV_REGION} cannot reach a majority of regions (${count + 1} of ${links.length + 1} needed; ${failures.join('; ')})`,
    });
  }
}
