import { Teardown } from './teardown';

describe('Teardown', () => {
  it('runs every step once, last first, and reports the ones that failed', async () => {
    const ran: string[] = [];
    const teardown = new Teardown();
    teardown.add('database', () => ran.push('database'));
    teardown.add('redis', () => {
      ran.push('redis');
      throw new Error('still running');
    });
    teardown.add('gateway', async () => ran.push('gateway'));

    await expect(teardown.run()).rejects.toThrow('cleanup "redis" failed: still running');
    expect(ran).toEqual(['gateway', 'redis', 'database']);

    await teardown.run();
    expect(ran).toHaveLength(3);
  });
});
