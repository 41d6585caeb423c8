import type { NodeStatus } from '@geokv/protocol';

export interface Liveness {
  readonly id: string;
  readonly status: NodeStatus;
  readonly lastHeartbeatMs: number;
}

/**
 * A timeout failure detector: the nodes that are up but have been silent for longer than `timeoutMs`.
 * Pure, so the decision can be tested without clocks; the caller passes `nowMs`.
 */
export function nodesToSuspect(nodes: Iterable<Liveness>, nowMs: number, timeoutMs: number): string[] {
  const suspects: string[] = [];
  for (const node of nodes) {
    if (node.status === 'up' && nowMs - node.lastHeartbeatMs > timeoutMs) suspects.push(node.id);
  }
  return suspects;
}
