import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import {
  BallotSource,
  combineChanges,
  KeyedBatches,
  outcomePerOperation,
  propose,
  type Change,
  type ProposalOutcome,
  type ProposerEnvironment,
  type ProposerObserver,
  type ProposerOptions,
} from '@geokv/caspaxos';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { ErrorCode, requestIdsOf, type KeyspacePolicy, type ReadResult, type StrongValue } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import type { GatewayConfig } from '../gateway.config';
import type { Written } from '../kv/kv-responses';
import type { DeleteCommand, PutCommand } from '../kv/kv.service';
import { deleteRegister, readRegister, recogniseOperation, roundChange, writeRegister, type NewValue, type StrongAnswer } from './register-changes';
import { HeldBallots, type HeldBallotEvent } from './held-ballots';
import { RegionAcceptors } from './region-acceptors';
import { strongKeyId } from './strong-key-id';

type OperationName = 'get' | 'put' | 'delete';

/** A write's id, unique across regions and retries: its ETag, and its entry in the key's recentOps. */
const operationId = (): string => randomBytes(12).toString('base64url');
const NO_BYTES = Buffer.alloc(0);

/**
 * The most operations on one key that run in one round. A round proposes only the batch's last value, so
 * the bound is on the work of applying the changes, not on what crosses regions.
 */
const STRONG_BATCH_MAX = 64;

/** One strong operation, waiting for or running in its key's batch. */
interface StrongRequest {
  readonly requestId: string;
  readonly keyspace: string;
  readonly key: string;
  readonly change: Change<StrongValue, StrongAnswer>;
  /** The id its write carries (its ETag), by which a retry recognises it; null for a read. */
  readonly writeId: string | null;
  readonly arrivedMs: number;
}

/**
 * What became of one operation: its round's outcome, or `shed` when it never ran (so nothing of it can take
 * effect) because it was still waiting behind the key's earlier rounds when its deadline passed (`late`),
 * or when no majority of regions had answered this gateway lately, as when the round before it found none
 * (`no-quorum`).
 */
type StrongOutcome = ProposalOutcome<StrongAnswer> | { readonly kind: 'shed'; readonly reason: 'late' | 'no-quorum' };
const SHED_LATE: StrongOutcome = { kind: 'shed', reason: 'late' };
const SHED_CUT_OFF: StrongOutcome = { kind: 'shed', reason: 'no-quorum' };

const SYSTEM: ProposerEnvironment = { nowMs: () => Date.now(), random: () => Math.random(), sleep: (ms) => sleep(ms) };

/**
 * Strong keyspaces: every GET, PUT and DELETE is one CASPaxos operation proposed by this gateway to the
 * acceptors of all regions (one per region, a majority deciding), so each is linearizable per key and
 * compare-and-set (If-Match, If-None-Match: *) is exact. No region leads: any gateway proposes. A key this
 * gateway used last takes one round trip to a majority instead of two (HeldBallots), and the operations
 * that arrive for a key while its round runs share the next round (KeyedBatches) rather than outbid it.
 */
@Injectable()
export class StrongKvService {
  /** Unique across regions and restarts: the region, then random bits for this process. */
  private readonly ballots: BallotSource;
  private readonly options: ProposerOptions;
  private readonly observer: ProposerObserver;
  private readonly held: HeldBallots;
  private readonly observeHeld: (event: HeldBallotEvent) => void;
  private readonly batches: KeyedBatches<StrongRequest, StrongOutcome>;

  constructor(
    private readonly acceptors: RegionAcceptors,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @InjectMetric(Metric.paxosPhaseDuration) phases: Histogram<string>,
    @InjectMetric(Metric.paxosRetries) retries: Counter<string>,
    @InjectMetric(Metric.strongOperations) private readonly operations: Counter<string>,
    @InjectMetric(Metric.strongHeldBallots) heldBallots: Counter<string>,
    @InjectMetric(Metric.strongBatchSize) private readonly batchSize: Histogram<string>,
  ) {
    this.ballots = new BallotSource(`${config.GEOKV_REGION}.${randomBytes(6).toString('hex')}`);
    this.options = {
      deadlineMs: config.GEOKV_STRONG_DEADLINE_MS,
      backoffBaseMs: config.GEOKV_STRONG_BACKOFF_BASE_MS,
      backoffCapMs: config.GEOKV_STRONG_BACKOFF_CAP_MS,
    };
    this.observer = {
      phase: (phase, outcome, ms) => phases.observe({ phase, outcome }, ms / 1000),
      retry: () => retries.inc(),
    };
    this.held = new HeldBallots(config.GEOKV_STRONG_HELD_BYTES);
    this.observeHeld = (event) => heldBallots.inc({ event });
    // Operations waiting for their key's turn are answered without running when they could only fail: past
    // their deadline (under a flood of one key the queue would otherwise grow, each answered long after its
    // client left), or when no majority of regions has answered lately (the round before them found none, so
    // a region cut off answers them as soon as it did before they waited, not one phase timeout later each).
    const shed = (member: StrongRequest): StrongOutcome | null => {
      if (Date.now() - member.arrivedMs >= config.GEOKV_STRONG_DEADLINE_MS) return SHED_LATE;
      return this.acceptors.majorityAnsweredRecently() ? null : SHED_CUT_OFF;
    };
    this.batches = new KeyedBatches((_key, members) => this.proposeBatch(members), STRONG_BATCH_MAX, shed);
  }

  async get(requestId: string, keyspace: string, key: string): Promise<ReadResult> {
    const answer = await this.run('get', requestId, keyspace, key, readRegister(Date.now()), null);
    if (answer.kind !== 'found') return { versions: [], context: null };
    const { value, contentType, etag, lastModifiedMs, expiresAtMs, originRegion } = answer.value;
    return { versions: [{ value, contentType, etag, lastModifiedMs, expiresAtMs, originRegion }], context: null };
  }

  async put(command: PutCommand, policy: KeyspacePolicy): Promise<Written> {
    const nowMs = Date.now();
    const ttlSeconds = command.ttlSeconds ?? policy.defaultTtlSeconds;
    const value: NewValue = {
      value: command.value,
      contentType: command.contentType,
      etag: operationId(),
      lastModifiedMs: nowMs,
      expiresAtMs: ttlSeconds === null ? null : nowMs + ttlSeconds * 1000,
      originRegion: this.config.GEOKV_REGION,
    };
    const answer = await this.run('put', command.requestId, command.keyspace, command.key, writeRegister(value, command.preconditions, nowMs), value.etag);
    return { context: null, etag: answer.kind === 'written' ? answer.etag : '', written: true };
  }

  async delete(command: DeleteCommand): Promise<Written> {
    const nowMs = Date.now();
    const tombstone: NewValue = { value: NO_BYTES, contentType: '', etag: operationId(), lastModifiedMs: nowMs, expiresAtMs: null, originRegion: this.config.GEOKV_REGION };
    await this.run('delete', command.requestId, command.keyspace, command.key, deleteRegister(tombstone, command.preconditions, nowMs), tombstone.etag);
    return { context: null, etag: '', written: false };
  }

  private async run(
    operation: OperationName,
    requestId: string,
    keyspace: string,
    key: string,
    change: Change<StrongValue, StrongAnswer>,
    writeId: string | null,
  ): Promise<StrongAnswer> {
    const request: StrongRequest = { requestId, keyspace, key, change, writeId, arrivedMs: Date.now() };
    const outcome = await this.batches.submit(strongKeyId(keyspace, key), request);
    if (outcome.kind === 'done') {
      const answer = outcome.result;
      this.operations.inc({ operation, outcome: answer.kind === 'precondition-failed' ? 'precondition_failed' : 'ok' });
      if (answer.kind === 'precondition-failed') throw new ApiError(ErrorCode.PreconditionFailed, answer.message);
      return answer;
    }
    const error = outcome.kind === 'shed' ? this.shedError(operation, outcome.reason) : this.failure(operation, outcome.reason, outcome.mayHaveApplied);
    this.operations.inc({ operation, outcome: error.code.toLowerCase() });
    throw error;
  }

  /**
   * One round for the operations waiting on a key (KeyedBatches): their changes in arrival order, as one
   * operation. Its messages carry every operation's request id, and its deadline counts from when the first
   * operation arrived, so no operation waits much past the deadline in all.
   */
  private async proposeBatch(members: readonly StrongRequest[]): Promise<StrongOutcome[]> {
    const first = members[0];
    this.batchSize.observe(members.length);
    // Not while a majority of regions may be out of reach: see RecentAnswers.
    const hold = this.acceptors.majorityAnsweredRecently() ? this.held.holdFor(first.keyspace, first.key, this.observeHeld) : null;
    // A lone operation's change already counts its write once, under its ETag; a round of several writes
    // counts once under an id of its own (see roundChange). Reads leave no trace to recognise.
    const changes = members.map((member) => member.change);
    const lone = members.length === 1;
    const roundId = lone ? first.writeId : members.some((member) => member.writeId !== null) ? operationId() : null;
    const change = lone || roundId === null ? combineChanges(changes) : roundChange(changes, roundId);
    const operation = roundId === null ? { change } : { change, recognise: recogniseOperation(roundId) };
    const options = { ...this.options, deadlineMs: Math.max(0, first.arrivedMs + this.options.deadlineMs - Date.now()) };
    const outcome = await propose(this.acceptors.linksFor(requestIdsOf(members), first.keyspace, first.key), operation, this.ballots, SYSTEM, options, this.observer, hold);
    return outcomePerOperation(outcome, members.length);
  }

  /** An operation that never ran: nothing of it was applied. */
  private shedError(operation: OperationName, reason: 'late' | 'no-quorum'): ApiError {
    if (reason === 'no-quorum') return this.failure(operation, reason, false);
    return new ApiError(ErrorCode.Contended, `waited ${this.config.GEOKV_STRONG_DEADLINE_MS} ms behind other operations on this key without its turn; nothing was applied, retry`);
  }

  /** A failed operation as the client must understand it: whether it might still take effect matters. */
  private failure(operation: OperationName, reason: 'no-quorum' | 'contended', mayHaveApplied: boolean): ApiError {
    if (mayHaveApplied && operation !== 'get') {
      return new ApiError(
        ErrorCode.OutcomeUnknown,
        `the ${operation} reached some regions' acceptors but no majority confirmed it in time (${reason}); it may or may not take effect: read the key to find out`,
      );
    }
    if (reason === 'no-quorum') {
      return new ApiError(ErrorCode.NoQuorum, `region ${this.config.GEOKV_REGION} cannot reach a majority of regions for this key; nothing was applied`);
    }
    return new ApiError(ErrorCode.Contended, `concurrent operations on this key kept outbidding this one for ${this.config.GEOKV_STRONG_DEADLINE_MS} ms; nothing was applied, retry`);
  }
}
