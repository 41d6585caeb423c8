// autocannon 9 ships no type declarations and adding @types/autocannon would mean a new dependency;
// this declares just the part of its API that the bench uses (see node_modules/autocannon/README.md).
declare module 'autocannon' {
  import { EventEmitter } from 'node:events';

  namespace autocannon {
    type Context = Record<string, unknown>;

    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** Called before each request is sent; returns the request to send. */
      setupRequest?: (request: Request, context: Context) => Request;
      /** Called with each response; `context` is the one setupRequest saw for that request. */
      onResponse?: (status: number, body: string, context: Context) => void;
    }

    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds per request before it counts as a timeout. */
      timeout?: number;
      method?: string;
      headers?: Record<string, string>;
      requests?: Request[];
      /** Requests per second over all connections (open loop); 0 for as fast as possible. */
      overallRate?: number;
      /** A run before the measured one, whose results are discarded. */
      warmup?: { connections?: number; duration?: number };
    }

    interface Histogram {
      average: number;
      min: number;
      max: number;
      p50: number;
      p90: number;
      p99: number;
    }

    interface Result {
      /** Seconds. */
      duration: number;
      latency: Histogram;
      requests: Histogram & { sent: number };
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      '2xx': number;
      statusCodeStats: Record<string, { count: number }>;
    }

    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
