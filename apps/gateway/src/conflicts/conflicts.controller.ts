import { Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG } from '@geokv/config';
import { ErrorCode, StoragePatterns, type OpenConflictsRequest, type OpenConflict,
  type OpenConflictsResult } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import { ErrorBody } from '../errors/error-body';
import type { GatewayConfig } from '../gateway.config';
import { KvService } from '../kv/kv.service';
import { parseResolution } from './parse-resolution';
import { OpenConflictsView, ResolutionBody, ResolvedView } from './resolution.body';

const MAX_LISTED = 1_000;

/**
 * The queue of `manual` keyspaces: keys whose concurrent versions wait for an operator. Resolving one is
 * an ordinary write whose context covers every sibling, so it replaces them all here and, once it has
 * replicated, in every region (which takes the key off every region's queue).
 */
@ApiTags('admin')
@Controller('v1/admin/conflicts')
export class ConflictsController {
  constructor(
    private readonly kv: KvService,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Keys of manual keyspaces whose siblings wait for a resolution, oldest first' })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_LISTED}; default 100` })
  @ApiResponse({ status: 200, type: OpenConflictsView })
  @ApiResponse({ status: 400, type: ErrorBody })
  @ApiResponse({ status: 503, type: ErrorBody })
  async list(@Query('limit') rawLimit: string | undefined, @Req() request: FastifyRequest): Promise<OpenConflictsView> {
    const limit = rawLimit === undefined ? 100 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LISTED) {
      throw new ApiError(ErrorCode.BadRequest, `limit must be an integer from 1 to ${MAX_LISTED}`);
    }
    const query: OpenConflictsRequest = { requestId: request.id, limit };
    const pages = await this.kv.askEveryNode<OpenConflictsResult>(StoragePatterns.openConflicts, query);
    // Every replica of a key queues it: one entry per key, with the earliest queueing.
    const byKey = new Map<string, OpenConflict>();
    for (const conflict of pages.flatMap((page) => page.conflicts)) {
      const id = `${conflict.keyspace}:${conflict.key}`;
      const held = byKey.get(id);
      if (held === undefined || conflict.queuedAtMs < held.queuedAtMs) byKey.set(id, conflict);
    }
    const conflicts = [...byKey.values()]
      .sort((a, b) => a.queuedAtMs - b.queuedAtMs)
      .slice(0, limit)
      .map((conflict) => ({ keyspace: conflict.keyspace, key: conflict.key, siblings: conflict.siblings, queuedAt: new Date(conflict.queuedAtMs).toISOString() }));
    return { conflicts };
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Resolve a key's siblings with a chosen or merged value; the resolution replicates like any write" })
  @ApiBody({ type: ResolutionBody })
  @ApiResponse({ status: 200, type: ResolvedView })
  @ApiResponse({ status: 400, type: ErrorBody })
  @ApiResponse({ status: 404, type: ErrorBody, description: 'The keyspace does not exist, or the key has no siblings to resolve' })
  @ApiResponse({ status: 413, type: ErrorBody })
  async resolve(@Req() request: FastifyRequest): Promise<ResolvedView> {
    const resolution = parseResolution(request.body as Buffer | undefined, this.config.GEOKV_MAX_VALUE_BYTES);
    const current = await this.kv.get({ requestId: request.id, keyspace: resolution.keyspace, key: resolution.key, consistency: 'eventual' });
    if (current.versions.length < 2 || current.context === null) {
      throw new ApiError(ErrorCode.NotFound, `${resolution.keyspace}/${resolution.key} has no siblings to resolve in this region`);
    }
    const written = await this.kv.put({
      requestId: request.id,
      keyspace: resolution.keyspace,
      key: resolution.key,
      value: resolution.value,
      contentType: resolution.contentType,
      context: current.context,
      preconditions: {},
    });
    return { keyspace: resolution.keyspace, key: resolution.key, resolvedSiblings: current.versions.length, etag: written.etag, context: written.context ?? current.context };
  }
}
