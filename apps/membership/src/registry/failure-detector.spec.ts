import { nodesToSuspect } from './failure-detector';

describe('nodesToSuspect', () => {
  const nodes = [
    { id: 'fresh', status: 'up' as const, lastHeartbeatMs: 9_000 },
    { id: 'silent', status: 'up' as const, lastHeartbeatMs: 6_000 },
    { id: 'already-down', status: 'down' as const, lastHeartbeatMs: 1_000 },
  ];

  it('suspects only up nodes silent for longer than the timeout', () => {
    expect(nodesToSuspect(nodes, 10_000, 2_500)).toEqual(['silent']);
  });

  it('does not suspect a node exactly at the timeout', () => {
    expect(nodesToSuspect(nodes, 8_500, 2_500)).toEqual([]);
  });
});
