import { OwedDeliveries } from './owed-deliveries';

describe('OwedDeliveries', () => {
  it('leaves a node behind until it owes the cap, and again once it has settled some', () => {
    const owed = new OwedDeliveries(2);
    expect(owed.mayLeaveBehind(['n1', 'n2'])).toBe(true);
    owed.owe(['n1']);
    owed.owe(['n1', 'n2']);
    expect(owed.of('n1')).toBe(2);
    expect(owed.mayLeaveBehind(['n2'])).toBe(true);
    expect(owed.mayLeaveBehind(['n2', 'n1'])).toBe(false);
    owed.settle(['n1']);
    expect(owed.mayLeaveBehind(['n1', 'n2'])).toBe(true);
  });

  it('forgets a node that owes nothing, and never counts below zero', () => {
    const owed = new OwedDeliveries(1);
    owed.owe(['n1']);
    owed.settle(['n1']);
    owed.settle(['n1']);
    expect(owed.of('n1')).toBe(0);
    owed.owe(['n1']);
    expect(owed.mayLeaveBehind(['n1'])).toBe(false);
  });
});
