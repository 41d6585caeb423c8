import { AsyncResource } from 'node:async_hooks';

type Bind = <F extends (...args: never[]) => unknown>(fn: F, thisArg?: unknown) => F;

/**
 * Makes `AsyncResource#bind` cheap where Node makes it expensive. Fastify binds a new AsyncResource to
 * every request body it parses, and Node 20's bind also defines the deprecated `asyncResource` accessor
 * (DEP0172) on each bound function, wrapping its getter and setter in `util.deprecate` every time: that
 * took ~10% of the gateway's CPU per PUT in a profile. The replacement keeps what bind is for (the
 * function runs in the resource's async scope, with its `this` and arguments, and keeps its `length`) and
 * leaves out only the deprecated accessor, which nothing here reads. Where Node defines no such accessor,
 * its own bind is kept.
 */
export function installLeanAsyncResourceBind(): void {
  const probe = new AsyncResource('geokv-probe').bind(() => undefined);
  if (Object.getOwnPropertyDescriptor(probe, 'asyncResource')?.get === undefined) return;
  const leanBind = function (this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) {
    if (typeof fn !== 'function') throw new TypeError('The "fn" argument must be of type function');
    const resource = this;
    const bound =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]) {
            return resource.runInAsyncScope(fn, this, ...args);
          }
        : resource.runInAsyncScope.bind(resource, fn, thisArg);
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, writable: false, value: fn.length });
    return bound;
  };
  AsyncResource.prototype.bind = leanBind as unknown as Bind;
}
