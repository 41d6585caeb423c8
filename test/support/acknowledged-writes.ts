import { randomBytes } from 'node:crypto';
import { mapWithConcurrency } from './concurrency';
import { http, pollUntil } from './http';

/**
 * Writes through a gateway during a fault and remembers exactly which writes were acknowledged (204):
 * anything else must be a 503, never a false acknowledgement, and every acknowledged value must read back
 * byte for byte afterwards.
 */
export class AcknowledgedWrites {
  readonly acknowledged = new Map<string, Buffer>();
  private sequence = 0;

  constructor(
    private readonly gatewayUrl: string,
    private readonly keyPrefix: string,
  ) {}

  /** `count` writes of fresh keys, 10 at a time. */
  async burst(count: number): Promise<void> {
    await mapWithConcurrency(Array.from({ length: count }), 10, async () => {
      const key = `${this.keyPrefix}-${this.sequence++}`;
      const value = randomBytes(64);
      const result = await http(`${this.gatewayUrl}/v1/kv/default/${key}`, { method: 'PUT', body: value, timeoutMs: 10_000 });
      if (result.status === 204) this.acknowledged.set(key, value);
      else expect(result.status).toBe(503);
    });
  }

  /** Waits (bounded) until writes to keys spread over the whole ring are all acknowledged again. */
  async waitUntilEveryNodeAcknowledges(what: string): Promise<void> {
    const probeKeys = Array.from({ length: 30 }, (_, i) => `probe-${i}`);
    await pollUntil(
      () => Promise.all(probeKeys.map((key) => http(`${this.gatewayUrl}/v1/kv/default/${key}`, { method: 'PUT', body: 'x' }))),
      (results) => results.every((result) => result.status === 204),
      { timeoutMs: 30_000, intervalMs: 250, what },
    );
  }

  async expectAllReadable(): Promise<void> {
    for (const [key, value] of this.acknowledged) {
      const read = await http(`${this.gatewayUrl}/v1/kv/default/${key}`);
      expect({ key, status: read.status }).toEqual({ key, status: 200 });
      expect(read.body.equals(value)).toBe(true);
    }
  }
}
