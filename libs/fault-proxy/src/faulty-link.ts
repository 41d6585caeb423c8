import { connect, createServer, type Server, type Socket } from 'node:net';
import { DelayedPipe, type PipeCounters } from './delayed-pipe';
import { HEALTHY, type LinkFaults } from './link-faults';

export interface LinkEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface LinkStatus {
  readonly from: string;
  readonly to: string;
  readonly listen: LinkEndpoint;
  readonly target: LinkEndpoint;
  readonly faults: LinkFaults;
  readonly openConnections: number;
  readonly bytesForwarded: number;
  /** Bytes that arrived while the link was cut, held until the heal. */
  readonly bytesHeld: number;
  readonly resets: number;
}

/**
 * One directed link between two regions: a TCP listener whose connections are relayed to `target` (the
 * destination region's Redis, say) under the link's faults. Clients in region `from` connect to the
 * listener instead of to the target.
 */
export class FaultyLink {
  private faults: LinkFaults = HEALTHY;
  private readonly connections = new Set<RelayedConnection>();
  private readonly counters: PipeCounters = { forwarded: 0, held: 0 };
  private resets = 0;

  private constructor(
    readonly from: string,
    readonly to: string,
    readonly target: LinkEndpoint,
    private readonly server: Server,
    readonly listen: LinkEndpoint,
  ) {
    server.on('connection', (client) => this.relay(client));
  }

  /** Listens on `listenPort` (0: any free port) on 127.0.0.1. */
  static async open(from: string, to: string, target: LinkEndpoint, listenPort = 0): Promise<FaultyLink> {
    const server = createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the link listener has no TCP address');
    return new FaultyLink(from, to, target, server, { host: '127.0.0.1', port: address.port });
  }

  setFaults(faults: LinkFaults): void {
    this.faults = faults;
    for (const connection of this.connections) for (const pipe of connection.pipes) pipe.refresh();
  }

  currentFaults(): LinkFaults {
    return this.faults;
  }

  /** Resets every open connection (TCP RST to both ends), as a middlebox that dropped its state would. */
  reset(): void {
    for (const connection of this.connections) {
      this.resets += 1;
      this.closeConnection(connection, true);
    }
  }

  status(): LinkStatus {
    return {
      from: this.from,
      to: this.to,
      listen: this.listen,
      target: this.target,
      faults: this.faults,
      openConnections: this.connections.size,
      bytesForwarded: this.counters.forwarded,
      bytesHeld: this.counters.held,
      resets: this.resets,
    };
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const connection of [...this.connections]) this.closeConnection(connection, false);
    });
  }

  private relay(client: Socket): void {
    const upstream = connect({ host: this.target.host, port: this.target.port, noDelay: true });
    const connection: RelayedConnection = { client, upstream, pipes: [] };
    this.connections.add(connection);
    const faults = (): LinkFaults => this.faults;
    connection.pipes.push(new DelayedPipe(client, upstream, faults, this.counters));
    connection.pipes.push(new DelayedPipe(upstream, client, faults, this.counters));
    // Either side ending or failing ends the relay; errors are expected (resets, a target that is down).
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.closeConnection(connection, false));
      socket.on('close', () => this.closeConnection(connection, false));
    }
  }

  private closeConnection(connection: RelayedConnection, reset: boolean): void {
    if (!this.connections.delete(connection)) return;
    for (const pipe of connection.pipes) pipe.stop();
    for (const socket of [connection.client, connection.upstream]) {
      if (socket.destroyed) continue;
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}

interface RelayedConnection {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly pipes: DelayedPipe[];
}
