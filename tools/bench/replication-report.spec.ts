import { describeCpu } from './replication-report';

describe('replication report', () => {
  it('describes a phase’s CPU: the machine, then each group busiest first', () => {
    const cpu = { machineBusy: 0.968, coresByGroup: new Map([['gateway', 0.19], ['storage nodes', 0.9], ['Redis', 0.07]]) };
    expect(describeCpu(cpu, 2)).toBe('machine 97% of 2 cores; storage nodes 0.90, gateway 0.19, Redis 0.07');
  });
});
