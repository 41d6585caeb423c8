import { ContextTooLargeError, MalformedContextError } from './errors';
import { appendVarint, readVarint } from './varint';
import { clockFrom, counterOf, type VectorClock } from './vector-clock';

/**
 * The opaque token clients echo back in the X-Causal-Context header.
 *
 * Layout, then base64url without padding:
 *   version byte (1) · varint entry count · per entry: varint byte length, UTF-8 actor, varint counter
 * Entries are sorted by the actor's UTF-8 bytes (language-neutral, unlike JS string order), so every
 * clock has exactly one token and the decoder can reject duplicates with one comparison.
 *
 * The token comes from untrusted clients, so decoding is strict and bounded: anything that is not the
 * canonical encoding of a valid clock is a MalformedContextError, and work is linear in MAX_TOKEN_CHARS.
 */
const FORMAT_VERSION = 1;
/** Far above any real cluster (actors are coordinating nodes), low enough to cap per-request work. */
export const MAX_CONTEXT_ENTRIES = 1_000;
/** 8 KiB: a common per-header limit in proxies; a longer token would be cut off before reaching us. */
export const MAX_TOKEN_CHARS = 8 * 1024;

// fatal: invalid UTF-8 throws instead of becoming U+FFFD. ignoreBOM: a leading BOM stays part of the
// actor; by default it would be stripped, so "\uFEFFa" and "a" would decode to the same actor and slip
// past the duplicate check. With both, decoding is a bijection on valid UTF-8. Non-streaming decode()
// calls keep no state, so one shared instance is safe.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The one actor name a context may not carry. Clocks cross geokv's transport as MessagePack maps, whose
 * decoder (msgpackr) renames a `__proto__` key to keep it from setting an object's prototype, so a version
 * whose clock named it would arrive at other replicas with a different clock. No node can have the name
 * (actors are `region/node`), so only a crafted token carries it.
 */
const UNCARRIABLE_ACTOR = '__proto__';

/**
 * Encodes `clock` as a URL-safe token. Guarantees: decodeContext(encodeContext(c)) deep-equals c (zero
 * entries aside, which mean the same as absent ones), and equal clocks give identical tokens.
 * @throws ContextTooLargeError when the token would exceed the limits decodeContext enforces.
 * @throws RangeError when a counter is not a positive safe integer or an actor is not valid Unicode.
 */
export function encodeContext(clock: VectorClock): string {
  const entries = Object.keys(clock)
    .filter((actor) => counterOf(clock, actor) !== 0)
    .map((actor) => ({ actor: utf8Bytes(actor), counter: counterOf(clock, actor) }))
    .sort((a, b) => Buffer.compare(a.actor, b.actor));
  if (entries.length > MAX_CONTEXT_ENTRIES) {
    throw new ContextTooLargeError(`${entries.length} entries (max ${MAX_CONTEXT_ENTRIES})`);
  }
  const out: number[] = [FORMAT_VERSION];
  appendVarint(out, entries.length);
  for (const { actor, counter } of entries) {
    if (!Number.isSafeInteger(counter) || counter < 1) throw new RangeError(`invalid counter ${counter}`);
    appendVarint(out, actor.length);
    for (const byte of actor) out.push(byte);
    appendVarint(out, counter);
  }
  const token = Buffer.from(out).toString('base64url');
  if (token.length > MAX_TOKEN_CHARS) {
    throw new ContextTooLargeError(`${token.length} characters (max ${MAX_TOKEN_CHARS})`);
  }
  return token;
}

/**
 * Decodes a token produced by encodeContext. Guarantees: returns a clock whose counters are positive
 * safe integers, or throws MalformedContextError; never any other error, and never more than linear
 * work in the (capped) token length. The empty string is malformed: the empty clock has its own token.
 */
export function decodeContext(token: string): VectorClock {
  if (token.length === 0) throw new MalformedContextError('empty token');
  if (token.length > MAX_TOKEN_CHARS) throw new MalformedContextError(`longer than ${MAX_TOKEN_CHARS} characters`);
  const bytes = Buffer.from(token, 'base64url');
  // Node's decoder skips characters outside the alphabet and accepts '+', '/', '=' and stray low bits.
  // Re-encoding catches all of those at once: only a canonical token survives the round trip.
  if (bytes.toString('base64url') !== token) throw new MalformedContextError('not canonical base64url');

  if (bytes[0] !== FORMAT_VERSION) throw new MalformedContextError(`unknown format version ${bytes[0]}`);
  const count = readVarint(bytes, 1);
  if (count.value > MAX_CONTEXT_ENTRIES) throw new MalformedContextError(`more than ${MAX_CONTEXT_ENTRIES} entries`);

  const entries: Array<[string, number]> = [];
  let offset = count.next;
  let previousActor: Uint8Array | undefined;
  for (let i = 0; i < count.value; i++) {
    const length = readVarint(bytes, offset);
    const end = length.next + length.value;
    if (end > bytes.length) throw new MalformedContextError('truncated actor');
    const actor = bytes.subarray(length.next, end);
    if (previousActor && Buffer.compare(previousActor, actor) >= 0) {
      throw new MalformedContextError('actors not strictly sorted (duplicate or out of order)');
    }
    const counter = readVarint(bytes, end);
    if (counter.value === 0) throw new MalformedContextError('zero counter');
    const name = decodeUtf8(actor);
    if (name === UNCARRIABLE_ACTOR) throw new MalformedContextError(`actor ${UNCARRIABLE_ACTOR} is not a node`);
    entries.push([name, counter.value]);
    previousActor = actor;
    offset = counter.next;
  }
  if (offset !== bytes.length) throw new MalformedContextError('trailing bytes');
  return clockFrom(entries);
}

function utf8Bytes(actor: string): Buffer {
  if (actor === UNCARRIABLE_ACTOR) throw new RangeError(`actor ${UNCARRIABLE_ACTOR} is not a node`);
  const bytes = Buffer.from(actor, 'utf8');
  // Unpaired surrogates become U+FFFD, which would not round-trip; refuse rather than alter the actor.
  if (bytes.toString('utf8') !== actor) throw new RangeError('actor is not well-formed Unicode');
  return bytes;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (error) {
    // Only the decoder's own rejection is translated; anything else is a bug and must surface. Match
    // on the error code, not `instanceof TypeError`: Node's error comes from the main realm, which
    // differs from the caller's inside a vm sandbox such as Jest's.
    if (isInvalidEncodingError(error)) throw new MalformedContextError('actor is not valid UTF-8');
    throw error;
  }
}

function isInvalidEncodingError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return code === 'ERR_ENCODING_INVALID_ENCODED_DATA';
}
