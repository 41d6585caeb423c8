import { RegionRing } from '@geokv/partitioning';
import type { RingView } from './membership-messages';

/** The placement a ring view describes: its members, the rebalance's target ring, and who is down. */
export function regionRingOf(view: RingView): RegionRing {
  return new RegionRing({
    vnodesPerNode: view.vnodesPerNode,
    members: view.members,
    target: view.rebalance?.target ?? null,
    down: new Set(view.nodes.filter((node) => node.status === 'down').map((node) => node.id)),
  });
}
