import { Injectable } from '@nestjs/common';
import type { ReplicaTarget } from '@geokv/partitioning';
import { ErrorCode, placementKey, type ConflictResolution, type ReplicaQuorum } from '@geokv/protocol';
import type { KeyRef } from '../kv/key-id';
import { StorageError } from '../kv/storage-errors';
import { RegionView } from '../region/region-view.service';
import { ReplicaClient } from '../region/replica-client';
import { replicatedVersionOf } from '../replication/replicated-version';
import type { StoredVersion } from '../versions/stored-version';
import { HintRecorder } from './hint-recorder';

/** Where one write goes, decided before the coordinator writes its own copy. */
export interface WritePlan {
  /**
   * Down home replicas this node keeps hints for, committed with its own copy: the one it stands in for, and
   * any that no other node could stand in for (a ring with no spare node).
   */
  readonly selfHints: readonly string[];
  /** The other replicas, stand-ins and (during a rebalance) new replicas the version goes to. */
  readonly others: readonly ReplicaTarget[];
  /** Acknowledgements needed, this node's own included when it counts. */
  readonly quorum: number;
  readonly selfCounts: boolean;
}

const ONE_REPLICA: ReplicaQuorum = { replicas: 1, quorum: 1 };

/**
 * A coordinator's side of in-region replication: the key's replicas by the ring (stand-ins with hints for
 * down ones), and the wait for W of them to make the version durable. A replica that does not answer gets a
 * hint here, so it receives the version once it is back even if membership never saw it down.
 */
@Injectable()
export class ReplicaFanout {
  constructor(
    private readonly region: RegionView,
    private readonly replicas: ReplicaClient,
    private readonly hints: HintRecorder,
  ) {}

  /**
   * The plan for a write of the key. Fails with INSUFFICIENT_REPLICAS, before anything is written, when
   * fewer nodes than the write quorum are up to take it.
   */
  plan(ref: KeyRef, replication: ReplicaQuorum = ONE_REPLICA): WritePlan {
    const ring = this.region.ring;
    const { targets, unplaced } = ring.writePlacement(placementKey(ref.keyspace, ref.key), replication.replicas);
    const self = this.region.self;
    const mine = targets.find((target) => target.node === self);
    const quorum = Math.min(replication.quorum, ring.effectiveReplicas(replication.replicas));
    const counting = targets.filter((target) => target.counts).length;
    // A node that is no target at all (its ring is older than the gateway's) still coordinates: its copy is
    // extra and the ring's replicas decide.
    if (targets.length > 0 && counting < quorum) {
      throw new StorageError(
        ErrorCode.InsufficientReplicas,
        `only ${counting} of the key's ${replication.replicas} replicas are up in this region; ${quorum} must take the write (nothing was written)`,
      );
    }
    return {
      selfHints: mine?.hintFor ? [mine.hintFor, ...unplaced] : unplaced,
      others: targets.filter((target) => target.node !== self),
      quorum: targets.length === 0 ? 1 : quorum,
      selfCounts: targets.length === 0 || (mine?.counts ?? false),
    };
  }

  /** Sends the version to the plan's other nodes; resolves once the quorum has it durably. */
  replicate(plan: WritePlan, requestId: string, ref: KeyRef, version: StoredVersion, strategy: ConflictResolution): Promise<void> {
    let acks = plan.selfCounts ? 1 : 0;
    if (plan.others.length === 0) return acks >= plan.quorum ? Promise.resolve() : Promise.reject(this.shortOf(plan, acks));
    const wire = replicatedVersionOf(ref, version);
    return new Promise<void>((resolve, reject) => {
      let outstanding = plan.others.filter((target) => target.counts).length;
      if (acks >= plan.quorum) resolve();
      for (const target of plan.others) {
        this.replicas.write(target.node, { requestId, version: wire, strategy, hintFor: target.hintFor }).then(
          () => {
            if (!target.counts) return;
            acks += 1;
            outstanding -= 1;
            if (acks === plan.quorum) resolve();
          },
          () => {
            void this.hints.record({ ...ref, target: target.hintFor ?? target.node, strategy });
            if (!target.counts) return;
            outstanding -= 1;
            if (acks < plan.quorum && acks + outstanding < plan.quorum) reject(this.shortOf(plan, acks));
          },
        );
      }
    });
  }

  private shortOf(plan: WritePlan, acks: number): StorageError {
    return new StorageError(
      ErrorCode.InsufficientReplicas,
      `only ${acks} of ${plan.quorum} required replicas confirmed the write in time; it is durable on those and may still reach the others`,
    );
  }
}
