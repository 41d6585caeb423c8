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

  it('round-trips any JSON-like packet', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.uint8Array({ maxLength: 300 }), (data, bytes) => {
        const packet = { id: 'x', data, bytes: Buffer.from(bytes) };
        expect(decodeWire(encodeWire(packet))).toEqual(packet);
      }),
    );
  });

  it('gives back a message that is not MessagePack as it is (a JSON one from an earlier release, say): no handler takes it', () => {
    for (const text of ['{"pattern":"storage.n1.write","data":{},"id":"r1"}', '', '\u00c1garbage']) {
      const message = Buffer.from(text, 'latin1');
      expect(decodeWire(message)).toBe(message);
    }
  });
});
