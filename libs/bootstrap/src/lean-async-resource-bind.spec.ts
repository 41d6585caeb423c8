import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { installLeanAsyncResourceBind } from './lean-async-resource-bind';

describe('installLeanAsyncResourceBind', () => {
  const originalBind = AsyncResource.prototype.bind;
  beforeAll(() => installLeanAsyncResourceBind());
  afterAll(() => {
    AsyncResource.prototype.bind = originalBind;
  });

  it('replaces the bind that defines the deprecated accessor', () => {
    expect(AsyncResource.prototype.bind).not.toBe(originalBind);
    expect(Object.getOwnPropertyDescriptor(new AsyncResource('t').bind(() => 1), 'asyncResource')).toBeUndefined();
  });

  it("runs the bound function in the resource's async scope, with the context it was bound in", async () => {
    const storage = new AsyncLocalStorage<string>();
    const resource = storage.run('request-1', () => new AsyncResource('t'));
    const bound = resource.bind(() => [executionAsyncId(), storage.getStore()]);
    // Called from another context, as Fastify calls a parser's callback from a stream event.
    const [asyncId, store] = await storage.run('request-2', () => Promise.resolve().then(bound));
    expect(asyncId).toBe(resource.asyncId());
    expect(store).toBe('request-1');
  });

  it('passes arguments and the call-site this, and keeps the length', () => {
    const bound = new AsyncResource('t').bind(function (this: unknown, a: number, b: number) {
      return [this, a + b];
    });
    const receiver = { name: 'receiver' };
    expect(bound.length).toBe(2);
    expect(bound.call(receiver, 2, 3)).toEqual([receiver, 5]);
  });

  it('binds this when given one', () => {
    const self = { n: 7 };
    // Node documents `bind(fn[, thisArg])`; its type declarations omit thisArg.
    const bind = AsyncResource.prototype.bind as unknown as (fn: (add: number) => number, thisArg: unknown) => (add: number) => number;
    const bound = bind.call(new AsyncResource('t'), function (this: { n: number }, add: number) {
      return this.n + add;
    }, self);
    expect(bound(1)).toBe(8);
  });

  it('rejects what is not a function, as Node does', () => {
    expect(() => new AsyncResource('t').bind(42 as unknown as () => void)).toThrow(TypeError);
  });
});
