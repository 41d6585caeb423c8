import { Injectable } from '@nestjs/common';
import { compareBallots, type Accepted, type Ballot } from '@geokv/caspaxos';
import {
  bytesOfAcceptorRecord,
  type AcceptorCollectionScan,
  type AcceptorCollectionScanRequest,
  type AcceptorRecord,
  type AcceptRequest,
  type AcceptResult,
  type CollectRequest,
  type CollectResult,
  type NodeAcceptorStates,
  type PrepareRequest,
  type PrepareResult,
  type StrongValue,
} from '@geokv/protocol';
import type { KeyRef } from '../kv/key-id';
import { PackedValues } from '../kv/packed-values';
import { prefixRange } from '../kv/prefix-range';
import { ShardDatabase } from '../kv/shard-database';
import {
  ACCEPT_BATCH,
  ACCEPTOR_COLLECTION_SCAN,
  ACCEPTOR_FLOOR,
  ACCEPTOR_KEYS_PAGE,
  ACCEPTOR_KEYSPACE_KEYS,
  COLLECT_ACCEPTOR_ROWS,
  DELETE_ACCEPTOR_STATES,
  LOAD_ACCEPTOR_STATES,
  MERGE_ACCEPTOR_STATES,
  PREPARE_BATCH,
  RAISE_ACCEPTOR_FLOOR,
} from './acceptor-statements';
import { SharedOrExclusive } from './shared-or-exclusive';

/** An accepted register as a row holds it. */
interface AcceptedColumns {
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
}

interface PreparedRow extends AcceptedColumns {
  readonly ok: boolean;
  readonly conflict_counter: string | null;
  readonly conflict_proposer: string | null;
}

interface StateRow extends AcceptedColumns {
  readonly keyspace: string;
  readonly key: string;
  readonly promised_counter: string;
  readonly promised_proposer: string;
}

interface AcceptedRow {
  readonly ok: boolean;
  readonly conflict_counter: string | null;
  readonly conflict_proposer: string | null;
}

/** Keys a scan loads at once: each may hold a value of up to 1 MiB. */
const SCAN_LOAD_WAVE = 16;

/**
 * The acceptor's durable state, one statement per batch (see acceptor-statements.ts). Every answer is
 * given only after PostgreSQL committed it: a promise or acceptance that a crash could forget would let
 * two proposers both win. Garbage collection's drops run alone, every other write beside each other.
 */
@Injectable()
export class AcceptorStore {
  private readonly writes = new SharedOrExclusive();

  constructor(private readonly db: ShardDatabase) {}

  prepare(requests: readonly PrepareRequest[]): Promise<PrepareResult[]> {
    return this.writes.shared(() => this.prepareInWaves(requests));
  }

  accept(requests: readonly AcceptRequest[]): Promise<AcceptResult[]> {
    return this.writes.shared(() => this.acceptInWaves(requests));
  }

  private prepareInWaves(requests: readonly PrepareRequest[]): Promise<PrepareResult[]> {
    return inWaves(requests, async (wave) => {
      const rows = await this.db.run<PreparedRow>(PREPARE_BATCH, [
        wave.map((r) => r.keyspace),
        wave.map((r) => r.key),
        wave.map((r) => r.ballot.counter),
        wave.map((r) => r.ballot.proposer),
      ]);
      return rows.map((row, i): PrepareResult => {
        if (!row.ok) return { promised: false, conflict: conflictOf(row, wave[i].ballot) };
        return { promised: true, accepted: acceptedOf(row) };
      });
    });
  }

  private acceptInWaves(requests: readonly AcceptRequest[]): Promise<AcceptResult[]> {
    return inWaves(requests, async (wave) => {
      const next = wave.map(nextPromiseOf);
      const rows = await this.db.run<AcceptedRow>(ACCEPT_BATCH, [
        wave.map((r) => r.keyspace),
        wave.map((r) => r.key),
        wave.map((r) => r.ballot.counter),
        wave.map((r) => r.ballot.proposer),
        ...valueParameters(wave.map((r) => r.value)),
        next.map((ballot) => ballot?.counter ?? null),
        next.map((ballot) => ballot?.proposer ?? null),
      ]);
      return rows.map((row, i): AcceptResult => {
        if (!row.ok) return { accepted: false, conflict: conflictOf(row, wave[i].ballot) };
        return next[i] === null ? { accepted: true } : { accepted: true, promisedNext: true };
      });
    });
  }

  /** A listing's page of the keyspace's keys this node holds acceptor state for (see ACCEPTOR_KEYSPACE_KEYS). */
  async listKeys(keyspace: string, prefix: string, after: string | null, limit: number): Promise<string[]> {
    const range = prefixRange(prefix);
    const rows = await this.db.run<{ key: string }>(ACCEPTOR_KEYSPACE_KEYS, [keyspace, range.from, range.before, after, limit]);
    return rows.map((row) => row.key);
  }

  /** The keys of up to `limit` acceptor rows after `after`, in key order. */
  async keysAfter(after: KeyRef, limit: number): Promise<KeyRef[]> {
    return this.db.run<{ keyspace: string; key: string }>(ACCEPTOR_KEYS_PAGE, [after.keyspace, after.key, limit]);
  }

  /**
   * Scans the next `limit` rows after `after` (from the first, with null) and loads the state of those
   * `wanted` picks, a few at a time, until their values reach `maxBytes` (a page always has its first
   * record, and so ends within one value of the bytes). `scannedThrough` is where the next scan starts: the
   * last row scanned, or the page's last record when the bytes ended it; null once the table has no more.
   */
  async scan(after: KeyRef | null, limit: number, wanted: (ref: KeyRef) => boolean, maxBytes: number): Promise<NodeAcceptorStates> {
    const refs = await this.keysAfter(after ?? { keyspace: '', key: '' }, limit);
    const picked = refs.filter(wanted);
    const records: AcceptorRecord[] = [];
    let bytes = 0;
    for (let from = 0; from < picked.length; from += SCAN_LOAD_WAVE) {
      for (const record of await this.load(picked.slice(from, from + SCAN_LOAD_WAVE))) {
        // Past the bytes, the page ends at its last record; the next scan starts after it.
        if (records.length > 0 && bytes >= maxBytes) return { records, scannedThrough: records[records.length - 1] };
        records.push(record);
        bytes += bytesOfAcceptorRecord(record);
      }
    }
    return { records, scannedThrough: refs.length < limit ? null : refs[refs.length - 1] };
  }

  /** The acceptor state of the keys that have a row. */
  async load(refs: readonly KeyRef[]): Promise<AcceptorRecord[]> {
    const rows = await this.db.run<StateRow>(LOAD_ACCEPTOR_STATES, [refs.map((ref) => ref.keyspace), refs.map((ref) => ref.key)]);
    return rows.map((row) => ({
      keyspace: row.keyspace,
      key: row.key,
      state: { promised: { counter: Number(row.promised_counter), proposer: row.promised_proposer }, accepted: acceptedOf(row) },
    }));
  }

  /**
   * Merges handed-over states into this node's (see MERGE_ACCEPTOR_STATES), each key at most once, after
   * raising this node's floor to the sender's: the keys were refused everything up to it where they were.
   */
  merge(records: readonly AcceptorRecord[], floor: Ballot | null): Promise<void> {
    return this.writes.shared(async () => {
      if (floor !== null) await this.db.run(RAISE_ACCEPTOR_FLOOR, [floor.counter, floor.proposer]);
      if (records.length > 0) await this.mergeRecords(records);
    });
  }

  /** The node's acceptor floor: the highest ballot garbage collection dropped here; null before the first drop. */
  async floor(): Promise<Ballot | null> {
    const rows = await this.db.run<{ counter: string; proposer: string }>(ACCEPTOR_FLOOR, []);
    return rows.length === 0 ? null : { counter: Number(rows[0].counter), proposer: rows[0].proposer };
  }

  /** Garbage collection's look at the next rows (see ACCEPTOR_COLLECTION_SCAN). */
  async collectionScan(request: AcceptorCollectionScanRequest): Promise<AcceptorCollectionScan> {
    const after = request.after ?? { keyspace: '', key: '' };
    const rows = await this.db.run<{ keyspace: string; key: string; garbage: boolean }>(ACCEPTOR_COLLECTION_SCAN, [
      after.keyspace,
      after.key,
      request.limit,
      request.untouchedSinceCounter,
      request.expiredBeforeMs,
    ]);
    const last = rows[rows.length - 1];
    return {
      keys: rows.filter((row) => row.garbage).map(({ keyspace, key }) => ({ keyspace, key })),
      scannedThrough: rows.length < request.limit ? null : { keyspace: last.keyspace, key: last.key },
    };
  }

  /** Drops the rows collection rounds emptied, if they still are (see COLLECT_ACCEPTOR_ROWS); alone, see SharedOrExclusive. */
  collect(requests: readonly CollectRequest[]): Promise<CollectResult[]> {
    return this.writes.exclusive(() =>
      inWaves(requests, async (wave) => {
        const rows = await this.db.run<{ dropped: boolean }>(COLLECT_ACCEPTOR_ROWS, [
          wave.map((r) => r.keyspace),
          wave.map((r) => r.key),
          wave.map((r) => r.ballot.counter),
          wave.map((r) => r.ballot.proposer),
        ]);
        return rows.map((row) => ({ dropped: row.dropped }));
      }),
    );
  }

  private async mergeRecords(records: readonly AcceptorRecord[]): Promise<void> {
    await this.db.run(MERGE_ACCEPTOR_STATES, [
      records.map((r) => r.keyspace),
      records.map((r) => r.key),
      records.map((r) => r.state.promised?.counter ?? 0),
      records.map((r) => r.state.promised?.proposer ?? ''),
      records.map((r) => r.state.accepted?.ballot.counter ?? null),
      records.map((r) => r.state.accepted?.ballot.proposer ?? null),
      ...valueParameters(records.map((r) => r.state.accepted?.value ?? null)),
    ]);
  }

  /** Drops the keys' acceptor rows. */
  async forget(refs: readonly KeyRef[]): Promise<void> {
    await this.db.run(DELETE_ACCEPTOR_STATES, [refs.map((ref) => ref.keyspace), refs.map((ref) => ref.key)]);
  }
}

/**
 * A register value per row as the statements' value parameters: lengths, content types, etags,
 * last-modified and expiry times, origin regions, tombstone flags, recent operation ids, versions, and the
 * values packed end to end (see PackedValues). A null value empties the register.
 */
function valueParameters(values: readonly (StrongValue | null)[]): unknown[] {
  const packed = new PackedValues();
  for (const value of values) packed.push(value?.value ?? null);
  return [
    packed.lengths,
    values.map((value) => value?.contentType ?? null),
    values.map((value) => value?.etag ?? null),
    values.map((value) => value?.lastModifiedMs ?? null),
    values.map((value) => value?.expiresAtMs ?? null),
    values.map((value) => value?.originRegion ?? null),
    values.map((value) => value?.tombstone ?? null),
    // A text[] of text[] cannot be passed as one parameter; each list travels as a JSON array instead.
    values.map((value) => (value === null ? null : JSON.stringify(value.recentOps))),
    values.map((value) => value?.version ?? null),
    packed.bytes(),
  ];
}

/**
 * The ballot that beat `own`. A key whose row appeared concurrently (another statement inserted it after
 * this one's snapshot) has no row to report; its own ballot is then a safe floor for the next attempt.
 */
function conflictOf(row: { conflict_counter: string | null; conflict_proposer: string | null }, own: Ballot): Ballot {
  return row.conflict_counter === null ? own : { counter: Number(row.conflict_counter), proposer: row.conflict_proposer! };
}

function acceptedOf(row: AcceptedColumns): Accepted<StrongValue> | null {
  if (row.accepted_counter === null) return null;
  return { ballot: { counter: Number(row.accepted_counter), proposer: row.accepted_proposer! }, value: valueOf(row) };
}

function valueOf(row: AcceptedColumns): StrongValue | null {
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

/** The ballot an accept also promises: its `promiseNext` if that is above the accepted ballot, else none. */
function nextPromiseOf(request: AcceptRequest): Ballot | null {
  const next = request.promiseNext ?? null;
  return next !== null && compareBallots(next, request.ballot) > 0 ? next : null;
}
