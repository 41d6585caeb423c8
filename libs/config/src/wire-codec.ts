import { Packr } from 'msgpackr';

/**
 * How every transport message is encoded on Redis: MessagePack (msgpackr), so that a value's bytes travel
 * as bytes. Nest's Redis transport writes JSON, in which bytes can only travel as text: values went out
 * base64-encoded (a third larger), and each hop paid the encoding, a JSON scan of the whole text and the
 * decoding. For 100-byte values the two formats cost about the same; for a 256 KiB value, encoding and
 * decoding a message took about 1.9 ms as JSON and 0.2 ms as MessagePack (see docs/performance-log.md).
 *
 * Plain MessagePack maps (no msgpackr records), so that any MessagePack reader can decode a capture. A
 * decoded Buffer is a view into the message: whoever keeps a small value beyond the message's handling
 * copies it (as the version cache does), so that it does not hold the whole message in memory.
 */
const packr = new Packr({ useRecords: false });

export function encodeWire(packet: unknown): Buffer {
  return packr.pack(packet);
}

/**
 * Decodes a message. Anything that is not MessagePack (a JSON message from a client of an earlier release,
 * say) comes back as it is, as Nest does with a message it cannot parse: it has no id, so no handler runs.
 */
export function decodeWire(message: Buffer): unknown {
  try {
    return packr.unpack(message) as unknown;
  } catch {
    return message;
  }
}
