import { OutboxSignal } from './outbox-signal';

describe('OutboxSignal', () => {
  it('wakes every waiter at a notify, saying it was notified', async () => {
    const signal = new OutboxSignal();
    const waits = [signal.wait(10_000), signal.wait(10_000)];
    signal.notify();
    await expect(Promise.all(waits.map((wait) => wait.woken))).resolves.toEqual([true, true]);
  });

  it('wakes a waiter that heard nothing when its wait times out, saying so', async () => {
    const signal = new OutboxSignal();
    await expect(signal.wait(10).woken).resolves.toBe(false);
  });

  it('wakes only those waiting at the notify, not a wait started after it', async () => {
    const signal = new OutboxSignal();
    const before = signal.wait(10_000);
    signal.notify();
    const after = signal.wait(20);
    await expect(before.woken).resolves.toBe(true);
    await expect(after.woken).resolves.toBe(false);
  });

  it('forgets a cancelled wait: a later notify does not reach it', async () => {
    const signal = new OutboxSignal();
    const cancelled = signal.wait(10_000);
    cancelled.cancel();
    const settled = jest.fn();
    void cancelled.woken.then(settled);
    signal.notify();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).not.toHaveBeenCalled();
  });
});
