/**
 * Deliveries that nodes still owe for shipments already answered at their write quorum, per node, with a
 * cap. A node that falls behind (a long collection, a stalled disk) is left behind at first, but once it
 * owes `maxPerNode` its lateness holds shipments up again: a node that cannot keep up then slows the
 * streams, as it did before shipments were answered at the quorum, instead of piling up work it cannot take.
 */
export class OwedDeliveries {
  private readonly owed = new Map<string, number>();

  constructor(private readonly maxPerNode: number) {}

  /** Whether a shipment may be answered while these nodes have not answered their deliveries of it. */
  mayLeaveBehind(nodes: Iterable<string>): boolean {
    for (const node of nodes) if (this.of(node) >= this.maxPerNode) return false;
    return true;
  }

  /** The nodes now owe one more delivery each; call `settle` with the same nodes once those have answered. */
  owe(nodes: readonly string[]): void {
    for (const node of nodes) this.owed.set(node, this.of(node) + 1);
  }

  settle(nodes: readonly string[]): void {
    for (const node of nodes) {
      const owed = this.of(node) - 1;
      if (owed <= 0) this.owed.delete(node);
      else this.owed.set(node, owed);
    }
  }

  of(node: string): number {
    return this.owed.get(node) ?? 0;
  }
}
