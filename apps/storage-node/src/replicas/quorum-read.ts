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
import { fillPayloads, type ReplicaState } from '../versions/replica-payloads';
import type { StoredVersion } from '../versions/stored-version';

/** One replica's copy of the key, with values or as a digest. */
type ReadCopy = (node: string, withoutValues: boolean) => Promise<readonly StoredVersion[]>;

/**
 * A coordinator's quorum read: every up home replica is asked, the answer goes out once R of them have
 * answered (merged with the vector-clock rules), and every replica that answered with less than the merge,
 * late ones included, is sent what it lacks in the background (read repair).
 *
 * Only one copy is read with its values; the other replicas send digests (each version's causality and
 * metadata, no value), as Cassandra's digest reads do. Replicas usually agree, and a value crossed the
 * transport (as base64 in JSON) from every replica only to be thrown away: three reads of a 1 MiB value
 * moved 4 MB through Redis for one answer.
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
    // Values from one copy (this node's, when it is a home replica), digests from the others.
    const withValues = targets.includes(this.region.self) ? this.region.self : targets[0];
    const read = (node: string, withoutValues: boolean): Promise<readonly StoredVersion[]> =>
      node === this.region.self
        ? local()
        : this.replicas
            .read(node, { requestId, keyspace: ref.keyspace, key: ref.key, ...(withoutValues ? { withoutValues } : {}) })
            .then((result) => result.versions.map(storedVersionOf));
    // A replica ahead of the copy with values is asked for its values once per read: the answer's merge and
    // read repair's both need them, and each used to send its own request.
    const valueReads = new Map<string, Promise<readonly StoredVersion[]>>();
    const copy: ReadCopy = (node, withoutValues) => {
      if (withoutValues) return read(node, true);
      let values = valueReads.get(node);
      if (values === undefined) {
        values = read(node, false);
        valueReads.set(node, values);
      }
      return values;
    };
    const answers: ReplicaState[] = [];
    let failed = 0;
    // The copy with values settles the read unless it fails: digests alone would need another round trip.
    let valuesCopyDone = false;
    return new Promise<StoredVersion[]>((resolve, reject) => {
      let settled = false;
      const settleIfQuorum = (node: string, error?: unknown): void => {
        if (settled) return;
        if (targets.length - failed < quorum) {
          settled = true;
          reject(new StorageError(ErrorCode.InsufficientReplicas, `only ${answers.length} of ${quorum} required replicas answered the read in time${reasonOf(node, error)}`));
        } else if (answers.length >= quorum && valuesCopyDone) {
          settled = true;
          this.mergeWithValues(strategy, answers, copy).then(resolve, reject);
        }
      };
      const finishIfDone = (): void => {
        if (answers.length + failed < targets.length) return;
        void this.repair(requestId, ref, strategy, answers, copy);
      };
      for (const node of targets) {
        copy(node, node !== withValues).then(
          (versions) => {
            answers.push({ node, versions });
            if (node === withValues) valuesCopyDone = true;
            settleIfQuorum(node);
            finishIfDone();
          },
          (error: unknown) => {
            failed += 1;
            if (node === withValues) valuesCopyDone = true;
            settleIfQuorum(node, error);
            finishIfDone();
          },
        );
      }
    });
  }

  /**
   * The merge of the replicas' answers, every version with its value. Digests carry none, so a version that
   * only digests hold is read again, with values, from a replica that holds it (one more round trip, when a
   * replica is ahead of the copy that sent values); each round replaces one digest, so they are bounded.
   */
  private async mergeWithValues(strategy: ConflictResolution, answers: readonly ReplicaState[], copy: ReadCopy): Promise<StoredVersion[]> {
    const states = [...answers];
    for (let round = 0; round <= answers.length; round += 1) {
      const fill = fillPayloads(mergeReplicaStates(states.map((state) => state.versions), strategy), states);
      if ('versions' in fill) return fill.versions;
      const node = fill.askValuesOf;
      const versions = await copy(node, false).catch((error: unknown) => {
        throw new StorageError(ErrorCode.InsufficientReplicas, `${node} holds a version the other replicas lack, and did not send its value in time${reasonOf(node, error)}`);
      });
      states[states.findIndex((state) => state.node === node)] = { node, versions };
    }
    throw new Error('replicas kept answering without values');
  }

  /** Sends each replica that answered what the merge of all answers holds and it lacks. */
  private async repair(requestId: string, ref: KeyRef, strategy: ConflictResolution, answers: readonly ReplicaState[], copy: ReadCopy): Promise<void> {
    if (answers.length < 2) return;
    let merged: StoredVersion[];
    try {
      merged = await this.mergeWithValues(strategy, answers, copy);
    } catch (error) {
      this.logger.warn({ err: error, requestId }, 'read repair could not read the values it would send; the next read retries it');
      return;
    }
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
