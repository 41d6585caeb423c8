import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { BallotSource, propose, type Operation, type ProposerEnvironment, type ProposerObserver, type ProposerOptions } from '@geokv/caspaxos';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { ErrorCode, type KeyspacePolicy, type ReadResult, type StrongValue } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import type { GatewayConfig } from '../gateway.config';
import type { Written } from '../kv/kv-responses';
import type { DeleteCommand, PutCommand } from '../kv/kv.service';
import { deleteRegister, readRegister, recogniseOperation, writeRegister, type NewValue, type StrongAnswer } from './register-changes';
import { HeldBallots, type HeldBallotEvent } from './held-ballots';
import { RegionAcceptors } from './region-acceptors';

type OperationName = 'get' | 'put' | 'delete';

/** A write's id, unique across regions and retries: its ETag, and its entry in the key's recentOps. */
const operationId = (): string => randomBytes(12).toString('base64url');
const NO_BYTES = Buffer.alloc(0);

const SYSTEM: ProposerEnvironment = { nowMs: () => Date.now(), random: () => Math.random(), sleep: (ms) => sleep(ms) };

/**
 * Strong keyspaces: every GET, PUT and DELETE is one CASPaxos operation proposed by this gateway to the
 * acceptors of all regions (one per region, a majority deciding), so each is linearizable per key and
 * compare-and-set (If-Match, If-None-Match: *) is exact. No region leads: any gateway proposes. A key this
 * gateway used last takes one round trip to a majority instead of two (HeldBallots).
 */
@Injectable()
export class StrongKvService {
  /** Unique across regions and restarts: the region, then random bits for this process. */
  private readonly ballots: BallotSource;
  private readonly options: ProposerOptions;
  private readonly observer: ProposerObserver;
  private readonly held: HeldBallots;
  private readonly observeHeld: (event: HeldBallotEvent) => void;

  constructor(
    private readonly acceptors: RegionAcceptors,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @InjectMetric(Metric.paxosPhaseDuration) phases: Histogram<string>,
    @InjectMetric(Metric.paxosRetries) retries: Counter<string>,
    @InjectMetric(Metric.strongOperations) private readonly operations: Counter<string>,
    @InjectMetric(Metric.strongHeldBallots) heldBallots: Counter<string>,
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
  }

  async get(requestId: string, keyspace: string, key: string): Promise<ReadResult> {
    const answer = await this.run('get', requestId, keyspace, key, { change: readRegister(Date.now()) });
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
    const answer = await this.run('put', command.requestId, command.keyspace, command.key, {
      change: writeRegister(value, command.preconditions, nowMs),
      recognise: recogniseOperation(value.etag),
    });
    return { context: null, etag: answer.kind === 'written' ? answer.etag : '', written: true };
  }

  async delete(command: DeleteCommand): Promise<Written> {
    const nowMs = Date.now();
    const tombstone: NewValue = { value: NO_BYTES, contentType: '', etag: operationId(), lastModifiedMs: nowMs, expiresAtMs: null, originRegion: this.config.GEOKV_REGION };
    await this.run('delete', command.requestId, command.keyspace, command.key, {
      change: deleteRegister(tombstone, command.preconditions, nowMs),
      recognise: recogniseOperation(tombstone.etag),
    });
    return { context: null, etag: '', written: false };
  }

  private async run(operation: OperationName, requestId: string, keyspace: string, key: string, change: Operation<StrongValue, StrongAnswer>): Promise<StrongAnswer> {
    // Not while a majority of regions may be out of reach: see RecentAnswers.
    const hold = this.acceptors.majorityAnsweredRecently() ? this.held.holdFor(keyspace, key, this.observeHeld) : null;
    const outcome = await propose(this.acceptors.linksFor(requestId, keyspace, key), change, this.ballots, SYSTEM, this.options, this.observer, hold);
    if (outcome.kind === 'done') {
      const answer = outcome.result;
      this.operations.inc({ operation, outcome: answer.kind === 'precondition-failed' ? 'precondition_failed' : 'ok' });
      if (answer.kind === 'precondition-failed') throw new ApiError(ErrorCode.PreconditionFailed, answer.message);
      return answer;
    }
    const error = this.failure(operation, outcome.reason, outcome.mayHaveApplied);
    this.operations.inc({ operation, outcome: error.code.toLowerCase() });
    throw error;
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
