import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { decodeWire, encodeWire } from './wire-codec';

describe('the transport wire format', () => {
  it('carries values as their bytes: exactly, as Buffers, without base64 growth', () => {
    const value = randomBytes(10_000);
    const packet = { id: 'r1', pattern: 'storage.n1.write', data: { key: 'k', value, empty: Buffer.alloc(0), context: null } };
    const wire = encodeWire(packet);
    // base64 alone would take 13,336 bytes for the value.
    expect(wire.length).toBeLessThan(10_100);
    const decoded = decodeWire(wire) as typeof packet;
    expect(Buffer.isBuffer(decoded.data.value)).toBe(true);
    expect(decoded.data.value.equals(value)).toBe(true);
    expect(decoded.data.empty).toEqual(Buffer.alloc(0));
    expect(decoded).toEqual(packet);
  });

  // Any key but `__proto__`, which the decoder renames (next test); no geokv message carries it as a key.
  const packetData = fc.jsonValue().filter((value) => !JSON.stringify(value).includes('"__proto__"'));

  it('carries any JSON-like packet as JSON did (-0 arrives as 0 in both), with its bytes as they were', () => {
    fc.assert(
      fc.property(packetData, fc.uint8Array({ maxLength: 300 }), (data, bytes) => {
        const packet = { id: 'x', data, bytes: Buffer.from(bytes) };
        expect(decodeWire(encodeWire(packet))).toEqual({ ...packet, data: JSON.parse(JSON.stringify(data)) as unknown });
      }),
    );
  });

  it('never lets a message set a prototype: a __proto__ key arrives renamed, as an ordinary key', () => {
    const decoded = decodeWire(encodeWire(JSON.parse('{"data":{"__proto__":{"polluted":true}}}'))) as { data: Record<string, unknown> };
    expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype);
    expect(decoded.data).toEqual({ __proto_: { polluted: true } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('gives back a message that is not MessagePack as it is (a JSON one from an earlier release, say): no handler takes it', () => {
    for (const text of ['{"pattern":"storage.n1.write","data":{},"id":"r1"}', '', '\u00c1garbage']) {
      const message = Buffer.from(text, 'latin1');
      expect(decodeWire(message)).toBe(message);
    }
  });
});
