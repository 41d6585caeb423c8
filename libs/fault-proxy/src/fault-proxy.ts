import { FaultyLink, type LinkEndpoint, type LinkStatus } from './faulty-link';
import { HEALTHY, type LinkFaults } from './link-faults';

export class UnknownLinkError extends Error {
  constructor(from: string, to: string) {
    super(`no link from ${from} to ${to}`);
    this.name = 'UnknownLinkError';
  }
}

/**
 * The fault-injecting proxy between regions: one directed link per ordered pair of regions. Region `from`
 * reaches region `to` only through link(from, to), so a test or an operator can delay, cut or reset each
 * direction on its own.
 */
export class FaultProxy {
  private readonly links = new Map<string, FaultyLink>();

  /** Opens the link from `from` to `to`, relaying to `target`; returns where `from` must connect. */
  async addLink(from: string, to: string, target: LinkEndpoint, listenPort = 0): Promise<LinkEndpoint> {
    const id = linkId(from, to);
    if (this.links.has(id)) throw new Error(`a link from ${from} to ${to} already exists`);
    const link = await FaultyLink.open(from, to, target, listenPort);
    this.links.set(id, link);
    return link.listen;
  }

  link(from: string, to: string): FaultyLink {
    const link = this.links.get(linkId(from, to));
    if (link === undefined) throw new UnknownLinkError(from, to);
    return link;
  }

  setFaults(from: string, to: string, faults: LinkFaults): void {
    this.link(from, to).setFaults(faults);
  }

  /** Cuts `region` off: both directions of every link that touches it. */
  isolate(region: string): void {
    for (const link of this.links.values()) {
      if (link.from === region || link.to === region) link.setFaults({ ...link.currentFaults(), blackhole: true });
    }
  }

  /** Sets the same faults on every link (e.g. 50 ms of delay everywhere). */
  setAll(faults: LinkFaults): void {
    for (const link of this.links.values()) link.setFaults(faults);
  }

  /** Every link back to healthy. */
  healAll(): void {
    this.setAll(HEALTHY);
  }

  status(): LinkStatus[] {
    return [...this.links.values()].map((link) => link.status());
  }

  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map((link) => link.close()));
    this.links.clear();
  }
}

function linkId(from: string, to: string): string {
  return `${from}\n${to}`;
}
