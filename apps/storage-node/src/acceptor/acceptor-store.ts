import { Injectable } from '@nestjs/common';
import type { Ballot } from '@geokv/caspaxos';
import type { AcceptRequest, AcceptResult, PrepareRequest, PrepareResult, StrongValue } from '@geokv/protocol';
import { PackedValues } from '../kv/packed-values';
import { ShardDatabase } from '../kv/shard-database';
import { ACCEPT_BATCH, PREPARE_BATCH } from './acceptor-statements';

interface PreparedRow {
  readonly ok: boolean;
  readonly accepted_counter: string | null;
  readonly accepted_proposer: string | null;
  readonly value: Buffer | null;
  readonly content_type: string | null;
  readonly etag: string | null;
  readonly last_modified_ms: string | null;
  readonly expires_at_ms: string | null;
  readonly origin_region: string | null;
  readonly tombstone: boolean | null;
  readonly version: string | null;
  readonly recent_ops: string[] | null;
  readonly conflict_counter: string | null;
  readonly conflict_proposer: string | null;
}

interface AcceptedRow {
  readonly ok: boolean;
  readonly conflict_counter: string | null;
  readonly conflict_proposer: string | null;
}

/**
 * The acceptor's durable state, one statement per batch (see acceptor-statements.ts). Every answer is
 * given only after PostgreSQL committed it: a promise or acceptance that a crash could forget would let
 * two proposers both win.
 */
@Injectable()
export class AcceptorStore {
  constructor(private readonly db: ShardDatabase) {}

  prepare(requests: readonly PrepareRequest[]): Promise<PrepareResult[]> {
    return inWaves(requests, async (wave) => {
      const rows = await this.db.run<PreparedRow>(PREPARE_BATCH, [
        wave.map((r) => r.keyspace),
        wave.map((r) => r.key),
        wave.map((r) => r.ballot.counter),
        wave.map((r) => r.ballot.proposer),
      ]);
      return rows.map((row, i): PrepareResult => {
        if (!row.ok) return { promised: false, conflict: conflictOf(row, wave[i].ballot) };
        if (row.accepted_counter === null) return { promised: true, accepted: null };
        return { promised: true, accepted: { ballot: { counter: Number(row.accepted_counter), proposer: row.accepted_proposer! }, value: valueOf(row) } };
      });
    });
  }

  accept(requests: readonly AcceptRequest[]): Promise<AcceptResult[]> {
    return inWaves(requests, async (wave) => {
      const values = new PackedValues();
      for (const r of wave) values.push(r.value?.value ?? null);
      const rows = await this.db.run<AcceptedRow>(ACCEPT_BATCH, [
        wave.map((r) => r.keyspace),
        wave.map((r) => r.key),
        wave.map((r) => r.ballot.counter),
        wave.map((r) => r.ballot.proposer),
        values.lengths,
        wave.map((r) => r.value?.contentType ?? null),
        wave.map((r) => r.value?.etag ?? null),
        wave.map((r) => r.value?.lastModifiedMs ?? null),
        wave.map((r) => r.value?.expiresAtMs ?? null),
        wave.map((r) => r.value?.originRegion ?? null),
        wave.map((r) => r.value?.tombstone ?? null),
        // A text[] of text[] cannot be passed as one parameter; each list travels as a JSON array instead.
        wave.map((r) => (r.value === null ? null : JSON.stringify(r.value.recentOps))),
        wave.map((r) => r.value?.version ?? null),
        values.bytes(),
      ]);
      return rows.map((row, i): AcceptResult => (row.ok ? { accepted: true } : { accepted: false, conflict: conflictOf(row, wave[i].ballot) }));
    });
  }
}

/**
 * The ballot that beat `own`. A key whose row appeared concurrently (another statement inserted it after
 * this one's snapshot) has no row to report; its own ballot is then a safe floor for the next attempt.
 */
function conflictOf(row: { conflict_counter: string | null; conflict_proposer: string | null }, own: Ballot): Ballot {
  return row.conflict_counter === null ? own : { counter: Number(row.conflict_counter), proposer: row.conflict_proposer! };
}

function valueOf(row: PreparedRow): StrongValue | null {
  if (row.value === null) return null;
  return {
    value: row.value,
    contentType: row.content_type!,
    etag: row.etag!,
    lastModifiedMs: Number(row.last_modified_ms),
    expiresAtMs: row.expires_at_ms === null ? null : Number(row.expires_at_ms),
    originRegion: row.origin_region ?? '',
    tombstone: row.tombstone ?? false,
    version: Number(row.version ?? 0),
    recentOps: row.recent_ops ?? [],
  };
}

/**
 * Runs `run` on the requests in waves in which no (keyspace, key) repeats, and answers in request order.
 * Almost every batch is a single wave; a key twice in one batch (two proposers on one key within one
 * event-loop turn) takes a second statement, in arrival order.
 */
async function inWaves<T extends { keyspace: string; key: string }, R>(requests: readonly T[], run: (wave: T[]) => Promise<R[]>): Promise<R[]> {
  const waves: { items: T[]; positions: number[] }[] = [];
  const seen = new Map<string, number>();
  requests.forEach((request, position) => {
    const id = `${request.keyspace}\u0000${request.key}`;
    const waveIndex = seen.get(id) ?? 0;
    seen.set(id, waveIndex + 1);
    waves[waveIndex] ??= { items: [], positions: [] };
    waves[waveIndex].items.push(request);
    waves[waveIndex].positions.push(position);
  });
  const answers: R[] = new Array<R>(requests.length);
  for (const wave of waves) {
    const results = await run(wave.items);
    results.forEach((result, i) => (answers[wave.positions[i]] = result));
  }
  return answers;
}
