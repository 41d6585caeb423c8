import type { FastifyReply } from 'fastify';
import { ErrorCode, type ReadResult, type WireVersion, type WriteResult } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';

const TEXTUAL_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|[a-z0-9.+-]*\+(json|xml))\b)/i;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A write's answer: an eventual write's context and etag, or a strong write's etag (no context). */
export type Written = Omit<WriteResult, 'context'> & { readonly context: string | null };

export function sendWritten(reply: FastifyReply, result: Written): void {
  if (result.context !== null) void reply.header('x-causal-context', result.context);
  if (result.written) void reply.header('etag', `"${result.etag}"`);
  void reply.status(204).send();
}

/** 200 with the raw value, 300 with every sibling, or 404 (with the context of a deleted key, if any). */
export function sendRead(reply: FastifyReply, result: ReadResult): void {
  if (result.versions.length === 0) {
    throw new ApiError(ErrorCode.NotFound, 'no value is stored under this key', result.context ? { 'x-causal-context': result.context } : {});
  }
  // Strong keyspaces have no causal context: their reads are linearizable on their own.
  if (result.context !== null) void reply.header('x-causal-context', result.context);
  if (result.versions.length === 1) {
    const [version] = result.versions;
    void reply
      .status(200)
      .header('content-type', version.contentType)
      .header('etag', `"${version.etag}"`)
      .header('last-modified', new Date(version.lastModifiedMs).toUTCString())
      .send(version.value);
    return;
  }
  void reply
    .status(300)
    .type('application/json')
    .send({ siblings: result.versions.map(siblingOf) });
}

/** A sibling in a 300 body: textual values inline as UTF-8, anything else as base64. */
function siblingOf(version: WireVersion) {
  const text = TEXTUAL_TYPES.test(version.contentType) ? utf8OrNull(version.value) : null;
  return {
    value: text ?? version.value.toString('base64'),
    encoding: text === null ? 'base64' : 'utf8',
    contentType: version.contentType,
    etag: version.etag,
    originRegion: version.originRegion,
    lastModified: new Date(version.lastModifiedMs).toISOString(),
  };
}

function utf8OrNull(bytes: Buffer): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Declared textual but not valid UTF-8: fall back to base64 so that no byte is altered.
    return null;
  }
}
