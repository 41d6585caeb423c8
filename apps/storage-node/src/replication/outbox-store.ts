import { Injectable } from '@nestjs/common';
import type { OutboxPosition, PendingSummary, ReplicatedVersion } from '@geokv/protocol';
import { ShardDatabase } from '../kv/shard-database';
import { ACK_AND_READ_OUTBOX_AFTER, ACK_OUTBOX, OUTBOX_BACKLOG, OUTBOX_BACKLOG_AFTER, READ_OUTBOX, READ_OUTBOX_AFTER } from '../kv/shard-statements';
import { versionFromRow, type VersionRow } from '../kv/version-rows';
import { replicatedVersionOf } from './replicated-version';

interface OutboxRow extends VersionRow {
  readonly txid: string;
  readonly id: string;
}

export interface OutboxPage {
  readonly versions: readonly ReplicatedVersion[];
  readonly next: OutboxPosition | null;
}

/** The shard's outbox as each peer region sees it: what it has not acknowledged yet, and its cursor. */
@Injectable()
export class OutboxStore {
  constructor(private readonly db: ShardDatabase) {}

  /**
   * The next rows after `after`, or after the peer's cursor when `after` is not given; with `acknowledged`,
   * the peer's cursor moves there first. A read from the cursor must start after what it acknowledges, so
   * the cursor moves in a round trip of its own; a read on from `after` does not depend on the cursor, and
   * moves it in the same statement.
   */
  async read(peer: string, limit: number, after?: OutboxPosition, acknowledged?: OutboxPosition): Promise<OutboxPage> {
    if (after === undefined) {
      if (acknowledged !== undefined) await this.acknowledge(peer, acknowledged);
      return pageOf(await this.db.run<OutboxRow>(READ_OUTBOX, [peer, limit]));
    }
    const rows =
      acknowledged === undefined
        ? await this.db.run<OutboxRow>(READ_OUTBOX_AFTER, [after.txid, after.id, limit])
        : await this.db.run<OutboxRow>(ACK_AND_READ_OUTBOX_AFTER, [peer, acknowledged.txid, acknowledged.id, after.txid, after.id, limit]);
    return pageOf(rows);
  }

  /** What the peer lacks: the rows after its cursor, or after `after` when the caller knows it has applied everything up to there. */
  async backlog(peer: string, after?: OutboxPosition): Promise<PendingSummary> {
    const [row] =
      after === undefined
        ? await this.db.run<{ backlog: number; oldest: Date | null }>(OUTBOX_BACKLOG, [peer])
        : await this.db.run<{ backlog: number; oldest: Date | null }>(OUTBOX_BACKLOG_AFTER, [after.txid, after.id]);
    return { backlog: row.backlog, oldestPendingAtMs: row.oldest === null ? null : row.oldest.getTime() };
  }

  async acknowledge(peer: string, position: OutboxPosition): Promise<void> {
    await this.db.run(ACK_OUTBOX, [peer, position.txid, position.id]);
  }
}

function pageOf(rows: readonly OutboxRow[]): OutboxPage {
  const last = rows.at(-1);
  return { versions: rows.map(replicatedVersionOfRow), next: last === undefined ? null : { txid: last.txid, id: last.id } };
}

/** A stored row in its replication wire form. */
export function replicatedVersionOfRow(row: VersionRow): ReplicatedVersion {
  return replicatedVersionOf(row, versionFromRow(row));
}
