import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, createTransportClient, parsePeers, type PersistentReplyRedisClient } from '@geokv/config';
import type { GatewayConfig } from '../gateway.config';

/** One Redis-transport client per peer region in GEOKV_PEERS: the way to that region's acceptors. */
@Injectable()
export class PeerTransports implements OnApplicationShutdown {
  readonly peers: readonly { readonly region: string; readonly client: PersistentReplyRedisClient }[];

  constructor(@Inject(APP_CONFIG) config: GatewayConfig) {
    this.peers = [...parsePeers(config.GEOKV_PEERS)].map(([region, url]) => ({ region, client: createTransportClient(url) }));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.peers.map((peer) => peer.client.close()));
  }
}
