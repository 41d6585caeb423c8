import { Inject, Injectable } from '@nestjs/common';
import { majorityOf } from '@geokv/caspaxos';
import { APP_CONFIG, firstToSucceed } from '@geokv/config';
import {
  acceptorKeysAsks,
  addressTo,
  ErrorCode,
  regionAddressed,
  ReplicationPatterns,
  StoragePatterns,
  type ListRequest,
  type ListResult,
  type NodeKeys,
  type RegionAcceptorKeys,
} from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import type { GatewayConfig } from '../gateway.config';
import { livePage, planListingPage, type ListingPage } from '../kv/listing-page';
import { RingViewService } from '../ring/ring-view.service';
import { RpcClient } from '../rpc/rpc-client';
import { PeerTransports } from './peer-transports';
import { StrongKvService } from './strong-kv.service';

/**
 * Lists a strong keyspace's keys. A live key's value was accepted by a majority of regions, and every
 * majority shares a region with that one, so the keys that the acceptor nodes of any majority of regions
 * hold rows for include every live key. Those are the candidates (each region's nodes send a page each,
 * merged as an eventual listing's nodes are); each is then read through the protocol, and listed if the
 * read finds it. So a page lists every key that is live throughout the listing, and no key that is not
 * live at some moment during it, each by its own linearizable read.
 */
@Injectable()
export class StrongListing {
  constructor(
    private readonly ring: RingViewService,
    private readonly rpc: RpcClient,
    private readonly transports: PeerTransports,
    private readonly strong: StrongKvService,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * A page, as an eventual listing's. It goes on as soon as a majority of regions have sent their keys (a
   * cut-off region costs no wait); 503 NO_QUORUM when no majority does within the phase timeout.
   */
  async list(request: ListRequest): Promise<ListingPage> {
    const regions = [this.localKeys(request), ...this.transports.peers.map((peer) => this.peerKeys(peer, request))];
    const needed = majorityOf(regions.length);
    const answered = await firstToSucceed(regions, needed);
    if ('errors' in answered) {
      throw new ApiError(
        ErrorCode.NoQuorum,
        `listing a strong keyspace needs the acceptor keys of ${needed} of ${regions.length} regions, and fewer answered (a region answers only with all its storage nodes up and no rebalance moving acceptor state)`,
      );
    }
    const plan = planListingPage(answered.values.flat(), request.limit, () => []);
    return livePage(plan, request.limit, async (key) => (await this.strong.get(request.requestId, request.keyspace, key)).versions.length > 0);
  }

  private async localKeys(request: ListRequest): Promise<NodeKeys[]> {
    const asks = acceptorKeysAsks(this.ring.current, request);
    if (asks === null) throw new Error('this region cannot list its acceptor keys now');
    return Promise.all(
      asks.nodes.map(async (node) => {
        const page = await this.rpc.request<ListResult>(addressTo(StoragePatterns.acceptorKeys, node), asks.request, StoragePatterns.acceptorKeys, this.config.GEOKV_STRONG_PHASE_TIMEOUT_MS);
        return { node: `${this.config.GEOKV_REGION}/${node}`, keys: page.keys };
      }),
    );
  }

  private async peerKeys(peer: PeerTransports['peers'][number], request: ListRequest): Promise<NodeKeys[]> {
    const answer = await peer.client.request<RegionAcceptorKeys>(regionAddressed(ReplicationPatterns.acceptorKeys, peer.region), request, this.config.GEOKV_STRONG_PHASE_TIMEOUT_MS);
    return answer.listings.map(({ node, keys }) => ({ node: `${peer.region}/${node}`, keys }));
  }
}

