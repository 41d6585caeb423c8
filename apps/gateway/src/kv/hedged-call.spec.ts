import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import { hedgedCall } from './hedged-call';

const HEDGE_MS = 40;
const unreached = (): ApiError => new ApiError(ErrorCode.Timeout, 'no answer within the deadline');
const unavailable = (): ApiError => new ApiError(ErrorCode.StorageUnavailable, 'the database is unavailable');

/** A fake node per name: answers `value` after `ms`, fails with `error` after `ms`, or never answers. */
type Behaviour = { ms: number; value: string } | { ms: number; error: ApiError } | 'silent';

function nodes(behaviours: Record<string, Behaviour>) {
  const calls: { node: string; atMs: number }[] = [];
  const started = Date.now();
  const call = (node: string): Promise<string> => {
    calls.push({ node, atMs: Date.now() - started });
    const behaviour = behaviours[node];
    if (behaviour === 'silent') return new Promise<string>(() => undefined);
    return sleep(behaviour.ms).then(() => {
      if ('error' in behaviour) throw behaviour.error;
      return behaviour.value;
    });
  };
  return { call, calls };
}

describe('hedgedCall', () => {
  it('asks a lone node only', async () => {
    const { call, calls } = nodes({ a: 'silent' });
    const pending = hedgedCall(['a'], call, HEDGE_MS);
    await sleep(HEDGE_MS * 2);
    expect(calls.map((c) => c.node)).toEqual(['a']);
    void pending;
  });

  it('answers from the first node when it answers in time, without asking the second', async () => {
    const { call, calls } = nodes({ a: { ms: 5, value: 'from a' }, b: { ms: 5, value: 'from b' } });
    await expect(hedgedCall(['a', 'b'], call, HEDGE_MS)).resolves.toBe('from a');
    await sleep(HEDGE_MS * 2);
    expect(calls.map((c) => c.node)).toEqual(['a']);
  });

  it('asks the second node once the first has been silent for the hedge delay, and answers with it', async () => {
    const { call, calls } = nodes({ a: 'silent', b: { ms: 5, value: 'from b' } });
    await expect(hedgedCall(['a', 'b'], call, HEDGE_MS)).resolves.toBe('from b');
    expect(calls.map((c) => c.node)).toEqual(['a', 'b']);
    expect(calls[1].atMs).toBeGreaterThanOrEqual(HEDGE_MS - 2);
  });

  it('takes the first node after all when it answers before the hedged request', async () => {
    const { call } = nodes({ a: { ms: HEDGE_MS + 10, value: 'from a' }, b: { ms: 200, value: 'from b' } });
    await expect(hedgedCall(['a', 'b'], call, HEDGE_MS)).resolves.toBe('from a');
  });

  it('hands over at once when the first node is unreached, before the hedge delay', async () => {
    const { call, calls } = nodes({ a: { ms: 1, error: unreached() }, b: { ms: 1, value: 'from b' } });
    await expect(hedgedCall(['a', 'b'], call, 10_000)).resolves.toBe('from b');
    expect(calls[1].atMs).toBeLessThan(1_000);
  });

  it("answers with the first node's own failure before the hedge, without asking the second", async () => {
    const failure = unavailable();
    const { call, calls } = nodes({ a: { ms: 1, error: failure }, b: { ms: 1, value: 'from b' } });
    await expect(hedgedCall(['a', 'b'], call, HEDGE_MS)).rejects.toBe(failure);
    await sleep(HEDGE_MS * 2);
    expect(calls.map((c) => c.node)).toEqual(['a']);
  });

  it('answers with the hedged node when the first fails after the hedge, and with the telling error when both fail', async () => {
    const late = nodes({ a: { ms: HEDGE_MS + 5, error: unavailable() }, b: { ms: 30, value: 'from b' } });
    await expect(hedgedCall(['a', 'b'], late.call, HEDGE_MS)).resolves.toBe('from b');

    const failure = unavailable();
    const both = nodes({ a: { ms: HEDGE_MS + 40, error: unreached() }, b: { ms: 5, error: failure } });
    await expect(hedgedCall(['a', 'b'], both.call, HEDGE_MS)).rejects.toBe(failure);
  });

  it('with a hedge delay of 0, asks the second node only when the first fails', async () => {
    const { call, calls } = nodes({ a: { ms: 60, value: 'from a' }, b: { ms: 1, value: 'from b' } });
    await expect(hedgedCall(['a', 'b'], call, 0)).resolves.toBe('from a');
    expect(calls.map((c) => c.node)).toEqual(['a']);
  });
});
