import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { byteGroups, bytesOfAcceptorRecord } from '@geokv/protocol';
import type { KeyRef } from '../kv/key-id';
import { SEND_BYTES_IN_FLIGHT } from '../handoff/send-budget';
import { RegionView } from '../region/region-view.service';
import { ReplicaClient } from '../region/replica-client';
import type { StorageNodeConfig } from '../storage-node.config';
import { AcceptorStore } from './acceptor-store';
import { acceptorsLeaving } from './acceptors-leaving';
import { AcceptorsInFlight } from './acceptors-in-flight';

/**
 * This node's part of a rebalance's `acceptors` phase: it hands the acceptor state of every strong key
 * whose acceptor moves away from it to the key's new acceptor, then drops its own copy. It runs only once
 * this node no longer answers those keys (its view is in that phase, see answersAsAcceptor), after the
 * operations it admitted before have committed, so what it copies is final.
 */
@Injectable()
export class AcceptorHandover {
  private readonly logger = new Logger(AcceptorHandover.name);

  constructor(
    private readonly store: AcceptorStore,
    private readonly inFlight: AcceptorsInFlight,
    private readonly region: RegionView,
    private readonly replicas: ReplicaClient,
    @Inject(APP_CONFIG) private readonly config: StorageNodeConfig,
    @InjectMetric(Metric.acceptorHandoverKeys) private readonly handedOver: Counter<string>,
  ) {}

  /**
   * Hands over every moving key, a page at a time, and this node's acceptor floor to every node of the
   * target ring (keys this node dropped left no row to send, only the floor that keeps refusing their old
   * ballots); resolves with how many keys. Rejects if a new acceptor did not take a page or the floor (the
   * caller starts over: a merge sent twice changes nothing).
   */
  async handOver(rebalanceId: number): Promise<number> {
    const rebalance = this.region.current?.rebalance;
    if (rebalance?.phase !== 'acceptors') throw new Error('acceptor state is handed over only in a rebalance’s acceptors phase');
    await this.inFlight.settled();
    const requestId = `acceptors-${rebalanceId}-${randomUUID().slice(0, 8)}`;
    const floor = await this.store.floor();
    let moved = 0;
    let after: KeyRef = { keyspace: '', key: '' };
    for (;;) {
      const page = await this.store.keysAfter(after, this.config.GEOKV_HANDOFF_BATCH);
      if (page.length === 0) {
        if (floor !== null) {
          for (const node of rebalance.target.filter((member) => member !== this.region.self)) {
            await this.replicas.handOverAcceptors(node, { requestId, rebalanceId, records: [], floor });
          }
        }
        return moved;
      }
      after = page[page.length - 1];
      const { handOver, stray } = acceptorsLeaving(this.region.ring, this.region.self, page);
      for (const [node, refs] of handOver) {
        const records = await this.store.load(refs);
        for (const group of byteGroups(records, bytesOfAcceptorRecord, SEND_BYTES_IN_FLIGHT)) {
          await this.replicas.handOverAcceptors(node, { requestId, rebalanceId, records: group, floor });
        }
        await this.store.forget(refs);
        moved += records.length;
        this.handedOver.inc(records.length);
      }
      if (stray.length > 0) {
        await this.store.forget(stray);
        this.logger.log({ rebalanceId, keys: stray.length }, 'dropped acceptor rows of keys this node is no longer the acceptor of');
      }
    }
  }
}

