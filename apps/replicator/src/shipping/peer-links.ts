import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, createTransportClient } from '@geokv/config';
import { peersOf, type ReplicatorConfig } from '../replicator.config';
import { PeerLink } from './peer-link';

/** One link per peer region in GEOKV_PEERS, shared by everything that ships to peers. */
@Injectable()
export class PeerLinks implements OnApplicationShutdown {
  readonly all: readonly PeerLink[];

  constructor(@Inject(APP_CONFIG) config: ReplicatorConfig) {
    this.all = [...peersOf(config)].map(([peer, url]) => new PeerLink(peer, createTransportClient(url)));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all.map((link) => link.client.close()));
  }
}
