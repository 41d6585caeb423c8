import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Metric } from '@geokv/observability';
import { ErrorCode, placementKey, type ConflictResolution, type ReplicaQuorum } from '@geokv/protocol';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../kv/database-unavailable';
import type { KeyRef } from '../kv/key-id';
import { StorageError } from '../kv/storage-errors';
import { WriteBatcher } from '../kv/write-batcher';
import { RegionView } from '../region/region-view.service';
import { ReplicaClient } from '../region/replica-client';
import { replicatedVersionOf, storedVersionOf } from '../replication/replicated-version';
import { mergeReplicaStates, missingFrom } from '../versions/merge-replica-states';
import type { StoredVersion } from '../versions/stored-version';

interface Answer {
  readonly node: string;
  readonly versions: readonly StoredVersion[];
}

/**
 * A coordinator's quorum read: every up home replica is asked, the answer goes out once R of them have
 * answered (merged with the vector-clock rules), and every replica that answered with less than the merge,
 * late ones included, is sent what it lacks in the background (read repair).
 */
@Injectable()
export class QuorumRead {
  private readonly logger = new Logger(QuorumRead.name);

  constructor(
    private readonly region: RegionView,
    private readonly replicas: ReplicaClient,
    private readonly batcher: WriteBatcher,
    @InjectMetric(Metric.readRepairs) private readonly readRepairs: Counter<string>,
  ) {}

  /** The key's merged versions from R replicas; `local` reads this node's own copy. */
  versions(
    requestId: string,
    ref: KeyRef,
    replication: ReplicaQuorum,
    strategy: ConflictResolution,
    local: () => Promise<readonly StoredVersion[]>,
  ): Promise<StoredVersion[]> {
    const ring = this.region.ring;
    const quorum = Math.min(replication.quorum, ring.effectiveReplicas(replication.replicas));
    const targets = ring.readTargets(placementKey(ref.keyspace, ref.key), replication.replicas);
    if (targets.length < quorum) {
      throw new StorageError(ErrorCode.InsufficientReplicas, `only ${targets.length} of the key's replicas are up in this region; the read quorum is ${quorum}`);
    }
    const answers: Answer[] = [];
    let failed = 0;
    return new Promise<StoredVersion[]>((resolve, reject) => {
      let settled = false;
      const finishIfDone = (): void => {
        if (answers.length + failed < targets.length) return;
        this.repair(requestId, ref, strategy, answers);
      };
      for (const node of targets) {
        const read =
          node === this.region.self
            ? local()
            : this.replicas.read(node, { requestId, keyspace: ref.keyspace, key: ref.key }).then((result) => result.versions.map(storedVersionOf));
        read.then(
          (versions) => {
            answers.push({ node, versions });
            if (!settled && answers.length >= quorum) {
              settled = true;
              resolve(mergeReplicaStates(answers.map((answer) => answer.versions), strategy));
            }
            finishIfDone();
          },
          (error: unknown) => {
            failed += 1;
            if (!settled && targets.length - failed < quorum) {
              settled = true;
              reject(
                new StorageError(ErrorCode.InsufficientReplicas, `only ${answers.length} of ${quorum} required replicas answered the read in time${reasonOf(node, error)}`),
              );
            }
            finishIfDone();
          },
        );
      }
    });
  }

  /** Sends each replica that answered what the merge of all answers holds and it lacks. */
  private repair(requestId: string, ref: KeyRef, strategy: ConflictResolution, answers: readonly Answer[]): void {
    if (answers.length < 2) return;
    const merged = mergeReplicaStates(answers.map((answer) => answer.versions), strategy);
    for (const answer of answers) {
      for (const version of missingFrom(answer.versions, merged)) {
        this.readRepairs.inc();
        const repaired =
          answer.node === this.region.self
            ? this.batcher.submitRemote(requestId, ref, version, strategy)
            : this.replicas.write(answer.node, { requestId, version: replicatedVersionOf(ref, version), strategy, hintFor: null });
        repaired.catch((error: unknown) => this.logger.warn({ err: error, requestId, node: answer.node }, 'read repair failed; the next read retries it'));
      }
    }
  }
}

/** Why a replica's read failed, when that is ours to tell (e.g. its database is down, not the replica). */
function reasonOf(node: string, error: unknown): string {
  if (error instanceof StorageError) return `; ${node}: ${error.message}`;
  return isDatabaseUnavailable(error) ? `; ${node}: ${DATABASE_UNAVAILABLE_MESSAGE}` : '';
}
