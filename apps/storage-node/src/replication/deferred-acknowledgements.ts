import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { PeriodicService } from '@geokv/bootstrap';
import type { OutboxPosition } from '@geokv/protocol';
import { OutboxStore } from './outbox-store';

/** How long a peer's cursor may lag behind what it has acknowledged to a read served from memory. */
const FLUSH_INTERVAL_MS = 500;

/**
 * Acknowledgements carried by reads that the outbox tail served from memory: the peer's cursor moves for
 * them every FLUSH_INTERVAL_MS, in one statement per peer, instead of one per read (which would cost the
 * statement the tail saved). The cursor only says where a stream starts again after a restart and which
 * rows garbage collection may drop, so a cursor behind by a moment costs at most rows shipped twice, and
 * applying a version twice changes nothing.
 */
@Injectable()
export class DeferredAcknowledgements extends PeriodicService implements OnModuleDestroy {
  private readonly logger = new Logger(DeferredAcknowledgements.name);
  private owed = new Map<string, OutboxPosition>();

  constructor(private readonly outbox: OutboxStore) {
    super(FLUSH_INTERVAL_MS);
  }

  /** The peer has applied everything up to `position`; its cursor moves there by the next flush. */
  defer(peer: string, position: OutboxPosition): void {
    this.owed.set(peer, position);
  }

  /** On a clean stop, the cursors catch up (a restart then ships nothing twice). */
  async onModuleDestroy(): Promise<void> {
    await this.runOnce();
  }

  protected async runOnce(): Promise<void> {
    if (this.owed.size === 0) return;
    const owed = this.owed;
    this.owed = new Map();
    for (const [peer, position] of owed) {
      try {
        await this.outbox.acknowledge(peer, position);
      } catch (error) {
        // Owed again unless a newer acknowledgement came meanwhile; the cursor never moves backwards anyway.
        if (!this.owed.has(peer)) this.owed.set(peer, position);
        this.logger.warn({ peer, err: error }, 'could not move a peer cursor; will retry');
      }
    }
  }
}
