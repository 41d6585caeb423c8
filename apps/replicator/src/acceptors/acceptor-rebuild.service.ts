import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { maxBallot, survivorsToRebuildFrom, type Ballot } from '@geokv/caspaxos';
import { APP_CONFIG, firstToSucceed, RepeatedLog, type PersistentReplyRedisClient } from '@geokv/config';
import { Metric } from '@geokv/observability';
import {
  addressTo,
  byteGroups,
  bytesOfAcceptorRecord,
  lostAcceptorOf,
  MembershipPatterns,
  regionAddressed,
  ReplicationPatterns,
  StoragePatterns,
  type AcceptorHandover,
  type AcceptorKey,
  type AcceptorRecord,
  type AcceptorsRebuilt,
  type LostAcceptor,
  type RegionAcceptorStates,
  type RegionAcceptorStatesRequest,
} from '@geokv/protocol';
import { describeFailure } from '../region/describe-failure';
import { RegionViewService } from '../region/region-view.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import type { ReplicatorConfig } from '../replicator.config';
import type { PeerLink } from '../shipping/peer-link';
import { PeerLinks } from '../shipping/peer-links';

const CHECK_INTERVAL_MS = 1_000;
/** Beyond the lease: how much faster than this process's clock a frozen node's clock may have run. */
const LEASE_MARGIN_MS = 1_000;
/** Rows each of a peer's nodes scans per page. */
const SCAN_ROWS = 256;
/** Bytes of values per handover message to a new acceptor. */
const HANDOVER_BYTES = 4 * 1_048_576;

/**
 * Rebuilds the acceptor state of a storage node this region lost (a leave of a node that is down), so that
 * the node can be removed although its state exists nowhere else in the region. The keys whose acceptor it
 * was get, on their new acceptor node, the merge of the peer regions' states of them (the higher promise,
 * the later acceptance). That is safe once the lost node can answer nothing more: any majority that
 * promised or accepted something with it included peers, and if the merge holds one of those peers' state,
 * the new acceptor promises and reports at least what that majority did. Hence enough peers must give their
 * whole state to meet every such majority (survivorsToRebuildFrom: with three regions, both others); what
 * a peer that fails midway gave is merged too, which is harmless (it is some acceptor's real state). The
 * rebuild starts only once the lost node's lease has lapsed under a view that has this phase (see
 * AcceptorLease): by then it can answer nothing, even if it comes back. The new acceptors answer only once
 * membership, told of the rebuild, makes the target ring the ring.
 */
@Injectable()
export class AcceptorRebuild implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AcceptorRebuild.name);
  private readonly failures = new RepeatedLog((fields) => this.logger.warn(fields, 'could not rebuild the lost node’s acceptor state yet; retrying'));
  private timer?: NodeJS.Timeout;
  /** The rebuild's phase as this process first saw it: its lease wait starts there. */
  private seen: { readonly rebalanceId: number; readonly atMs: number } | null = null;
  private done: AcceptorsRebuilt | null = null;
  private running = false;

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
    private readonly region: RegionViewService,
    private readonly peers: PeerLinks,
    @InjectMetric(Metric.acceptorRebuiltRecords) private readonly rebuiltRecords: Counter<string>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.check(), CHECK_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const view = this.region.current;
    const lost = lostAcceptorOf(view);
    if (view?.rebalance == null || lost === null) {
      this.seen = null;
      return;
    }
    const rebalanceId = view.rebalance.id;
    if (this.seen?.rebalanceId !== rebalanceId) this.seen = { rebalanceId, atMs: performance.now() };
    if (this.running || performance.now() - this.seen.atMs < this.config.GEOKV_ACCEPTOR_LEASE_MS + LEASE_MARGIN_MS) return;
    this.running = true;
    void this.rebuildAndReport(rebalanceId, lost).finally(() => (this.running = false));
  }

  /** Rebuilds once per rebalance, and tells membership every check until the phase ends (it may have restarted). */
  private async rebuildAndReport(rebalanceId: number, lost: LostAcceptor): Promise<void> {
    try {
      if (this.done?.rebalanceId !== rebalanceId) {
        if (this.peers.all.length === 0) throw new Error(`no peer region holds acceptor state of node ${lost.node}'s keys; start it again on its database so that it can hand it over`);
        const needed = survivorsToRebuildFrom(this.peers.all.length + 1);
        const rebuilt = await firstToSucceed(
          this.peers.all.map((link) => this.rebuildFrom(link, rebalanceId, lost)),
          needed,
        );
        if ('errors' in rebuilt) throw new Error(`fewer than ${needed} peer regions gave their state: ${rebuilt.errors.map(describeFailure).join('; ')}`);
        this.done = { rebalanceId, node: lost.node, records: rebuilt.values.reduce((sum, count) => sum + count, 0) };
        this.logger.log({ ...this.done, peers: needed }, 'rebuilt the lost node’s acceptor state from the peer regions');
      }
      await this.local.request(MembershipPatterns.acceptorsRebuilt, this.done, this.config.GEOKV_RPC_TIMEOUT_MS);
    } catch (error) {
      this.failures.note({ rebalanceId, node: lost.node, reason: describeFailure(error) });
    }
  }

  /**
   * Every page of one peer's state of the lost node's keys, merged into the keys' new acceptors, then the
   * peer's acceptor floor to every node of the target ring (a key the peer dropped has no record, only the
   * floor that keeps refusing its old ballots); resolves with how many records.
   */
  private async rebuildFrom(link: PeerLink, rebalanceId: number, lost: LostAcceptor): Promise<number> {
    const requestId = `rebuild-${rebalanceId}-${randomUUID().slice(0, 8)}`;
    let after: AcceptorKey | null = null;
    let lastRebalanceId: number | null = null;
    let floor: Ballot | null = null;
    let merged = 0;
    for (let firstPage = true; ; firstPage = false) {
      const request: RegionAcceptorStatesRequest = { requestId, lost, after, limit: SCAN_ROWS, firstPage, lastRebalanceId };
      const page = await link.client.request<RegionAcceptorStates>(regionAddressed(ReplicationPatterns.acceptorStates, link.region), request, this.config.GEOKV_RPC_TIMEOUT_MS);
      lastRebalanceId = page.lastRebalanceId;
      floor = maxBallot(floor, page.floor ?? null);
      await this.handOver(requestId, rebalanceId, page.records);
      merged += page.records.length;
      this.rebuiltRecords.inc(page.records.length);
      if (page.next === null) break;
      after = page.next;
    }
    if (floor !== null) {
      for (const node of this.region.current?.rebalance?.target ?? []) {
        const handover: AcceptorHandover = { requestId, rebalanceId, records: [], floor };
        await this.local.request(addressTo(StoragePatterns.acceptorHandover, node), handover, this.config.GEOKV_RPC_TIMEOUT_MS);
      }
    }
    return merged;
  }

  /** Each record to the key's new acceptor node, which merges it (see the storage node's acceptor handover). */
  private async handOver(requestId: string, rebalanceId: number, records: readonly AcceptorRecord[]): Promise<void> {
    const byNode = new Map<string, AcceptorRecord[]>();
    for (const record of records) {
      const node = this.region.newAcceptorOf(record.keyspace, record.key);
      if (node === null) throw new Error('no ring to place the rebuilt acceptor state by');
      let share = byNode.get(node);
      if (share === undefined) byNode.set(node, (share = []));
      share.push(record);
    }
    for (const [node, share] of byNode) {
      for (const group of byteGroups(share, bytesOfAcceptorRecord, HANDOVER_BYTES)) {
        const handover: AcceptorHandover = { requestId, rebalanceId, records: group };
        await this.local.request(addressTo(StoragePatterns.acceptorHandover, node), handover, this.config.GEOKV_RPC_TIMEOUT_MS);
      }
    }
  }
}
