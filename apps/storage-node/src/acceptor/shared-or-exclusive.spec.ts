import { SharedOrExclusive } from './shared-or-exclusive';

/** A run that records when it starts and ends, and ends when told. */
function controlled(log: string[], name: string): { run: () => Promise<string>; finish: () => void } {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    run: async () => {
      log.push(`${name} starts`);
      await done;
      log.push(`${name} ends`);
      return name;
    },
    finish,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedOrExclusive', () => {
  it('runs shared work side by side', async () => {
    const gate = new SharedOrExclusive();
    const log: string[] = [];
    const a = controlled(log, 'a');
    const b = controlled(log, 'b');
    const both = Promise.all([gate.shared(a.run), gate.shared(b.run)]);
    await settle();
    expect(log).toEqual(['a starts', 'b starts']);
    a.finish();
    b.finish();
    expect(await both).toEqual(['a', 'b']);
  });

  it('starts exclusive work only once the shared work running has ended, and holds back shared work arriving meanwhile', async () => {
    const gate = new SharedOrExclusive();
    const log: string[] = [];
    const first = controlled(log, 'first');
    const alone = controlled(log, 'alone');
    const later = controlled(log, 'later');
    const runs = [gate.shared(first.run), gate.exclusive(alone.run)];
    await settle();
    runs.push(gate.shared(later.run));
    await settle();
    expect(log).toEqual(['first starts']);
    first.finish();
    await settle();
    expect(log).toEqual(['first starts', 'first ends', 'alone starts']);
    alone.finish();
    await settle();
    expect(log).toEqual(['first starts', 'first ends', 'alone starts', 'alone ends', 'later starts']);
    later.finish();
    expect(await Promise.all(runs)).toEqual(['first', 'alone', 'later']);
  });

  it('runs exclusive work one at a time, and frees the gate when a run fails', async () => {
    const gate = new SharedOrExclusive();
    const log: string[] = [];
    const one = controlled(log, 'one');
    const failing = gate.exclusive(async () => {
      log.push('failing starts');
      throw new Error('boom');
    });
    const next = gate.exclusive(one.run);
    await expect(failing).rejects.toThrow('boom');
    await settle();
    expect(log).toEqual(['failing starts', 'one starts']);
    one.finish();
    await expect(next).resolves.toBe('one');
    await expect(gate.shared(async () => 'after')).resolves.toBe('after');
  });
});
