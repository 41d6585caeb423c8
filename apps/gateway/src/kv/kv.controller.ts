import { Controller, Delete, Get, Param, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import { ErrorBody } from '../errors/error-body';
import { assertValidKey } from './key-rules';
import { causalContextOf, consistencyOf, contentTypeOf, contextOf, preconditionsOf, quorumOf, ttlOf } from './kv-headers';
import { sendRead, sendWritten } from './kv-responses';
import { keyOfCursor, KvService } from './kv.service';
import { KeyPage, SiblingsBody } from './kv.schemas';

const KEY_ROUTE = ':keyspace/*';
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

function keyOf(request: FastifyRequest): string {
  const key = (request.params as Record<string, string>)['*'] ?? '';
  assertValidKey(key);
  return key;
}

const keyParams = [ApiParam({ name: 'keyspace', example: 'default' }), ApiParam({ name: 'key', type: String, description: '1 to 1024 bytes of UTF-8, no control characters; may contain /' })];
const errors = [400, 404, 405, 503].map((status) => ApiResponse({ status, type: ErrorBody }));

function apply(...decorators: MethodDecorator[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const decorator of decorators) decorator(target, key, descriptor);
  };
}

@ApiTags('kv')
@Controller('v1/kv')
export class KvController {
  constructor(private readonly kv: KvService) {}

  @Put(KEY_ROUTE)
  @apply(...keyParams, ...errors)
  @ApiOperation({ summary: 'Store the raw body as the value, keeping its Content-Type' })
  @ApiBody({ schema: { type: 'string', format: 'binary' }, required: false })
  @ApiHeader({ name: 'X-Causal-Context', required: false, description: 'The context from your last read; without it the write overwrites every version this region holds' })
  @ApiHeader({ name: 'X-TTL', required: false, description: 'Seconds until the value expires' })
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'Only *' })
  @ApiHeader({ name: 'X-Write-Quorum', required: false, description: "Lowers the keyspace's write quorum W for this request" })
  @ApiResponse({ status: 204, description: 'Stored durably; X-Causal-Context and ETag name the new version' })
  @ApiResponse({ status: 409, type: ErrorBody, description: 'TOO_MANY_SIBLINGS: the write would grow the key past its sibling limits' })
  @ApiResponse({ status: 412, type: ErrorBody })
  @ApiResponse({ status: 413, type: ErrorBody })
  async put(@Param('keyspace') keyspace: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const result = await this.kv.put({
      requestId: request.id,
      keyspace,
      key: keyOf(request),
      value: (request.body as Buffer | undefined) ?? Buffer.alloc(0),
      contentType: contentTypeOf(request.headers),
      context: contextOf(request.headers),
      ttlSeconds: ttlOf(request.headers),
      preconditions: preconditionsOf(request.headers),
      writeQuorum: quorumOf(request.headers, 'x-write-quorum'),
    });
    sendWritten(reply, result);
  }

  @Get(KEY_ROUTE)
  @apply(...keyParams, ...errors)
  @ApiOperation({ summary: 'Read a value: 200 with the raw bytes, 300 with siblings, 404 when absent' })
  @ApiHeader({ name: 'X-Consistency', required: false, enum: ['eventual', 'strong'] })
  @ApiHeader({ name: 'X-Read-Quorum', required: false, description: "Lowers the keyspace's read quorum R for this request" })
  @ApiHeader({
    name: 'X-Causal-Context',
    required: false,
    description: 'Read your writes: only a state that includes this context is returned; 503 STALE_REPLICA if the region has not caught up in time',
  })
  @ApiProduces('application/octet-stream', 'application/json')
  @ApiResponse({ status: 200, description: 'The value, with Content-Type, ETag and X-Causal-Context', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 300, type: SiblingsBody, description: 'Concurrent versions, with one X-Causal-Context covering them all' })
  async get(@Param('keyspace') keyspace: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const key = keyOf(request);
    const result = await this.kv.get({
      requestId: request.id,
      keyspace,
      key,
      consistency: consistencyOf(request.headers),
      after: causalContextOf(request.headers)?.clock,
      readQuorum: quorumOf(request.headers, 'x-read-quorum'),
    });
    sendRead(reply, result);
  }

  @Delete(KEY_ROUTE)
  @apply(...keyParams, ...errors)
  @ApiOperation({ summary: 'Delete a key (a tombstone that supersedes what the context covers)' })
  @ApiHeader({ name: 'X-Causal-Context', required: false })
  @ApiHeader({ name: 'X-Write-Quorum', required: false, description: "Lowers the keyspace's write quorum W for this request" })
  @ApiResponse({ status: 204, description: 'Deleted, or nothing was there' })
  @ApiResponse({ status: 409, type: ErrorBody, description: 'TOO_MANY_SIBLINGS: a delete from a stale context would add one sibling too many' })
  async delete(@Param('keyspace') keyspace: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const result = await this.kv.delete({
      requestId: request.id,
      keyspace,
      key: keyOf(request),
      context: contextOf(request.headers),
      preconditions: preconditionsOf(request.headers),
      writeQuorum: quorumOf(request.headers, 'x-write-quorum'),
    });
    sendWritten(reply, result);
  }

  @Get(':keyspace')
  @ApiOperation({ summary: 'List live keys in byte order, by prefix, one page at a time' })
  @ApiParam({ name: 'keyspace', example: 'default' })
  @ApiQuery({ name: 'prefix', required: false })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_PAGE}, default ${DEFAULT_PAGE}` })
  @ApiQuery({ name: 'cursor', required: false, description: 'The cursor of the previous page' })
  @ApiResponse({ status: 200, type: KeyPage })
  @apply(...errors)
  async list(
    @Param('keyspace') keyspace: string,
    @Query() query: Record<string, string | string[] | undefined>,
    @Req() request: FastifyRequest,
  ): Promise<KeyPage> {
    return this.kv.list({
      requestId: request.id,
      keyspace,
      prefix: prefixOf(query.prefix),
      after: typeof query.cursor === 'string' ? keyOfCursor(query.cursor) : null,
      limit: limitOf(query.limit),
    });
  }
}

function prefixOf(raw: string | string[] | undefined): string {
  if (Array.isArray(raw)) throw new ApiError(ErrorCode.BadRequest, 'prefix must be given once');
  if (raw === undefined || raw === '') return '';
  assertValidKey(raw, 'prefix');
  return raw;
}

function limitOf(raw: string | string[] | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE;
  if (typeof raw !== 'string' || !/^[0-9]{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE) {
    throw new ApiError(ErrorCode.BadRequest, `limit must be a whole number from 1 to ${MAX_PAGE}`);
  }
  return Number(raw);
}
