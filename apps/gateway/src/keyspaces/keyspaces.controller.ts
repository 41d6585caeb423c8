import { Controller, Get, Param, Put, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorCode, MembershipPatterns, type Catalog, type KeyspacePolicy } from '@geokv/protocol';
import { CatalogCacheService } from '../catalog/catalog-cache.service';
import { ApiError } from '../errors/api-error';
import { ErrorBody } from '../errors/error-body';
import { RpcClient } from '../rpc/rpc-client';
import { KeyspacePolicyBody, KeyspacePolicyView } from './keyspace-policy.body';
import { parseKeyspacePolicy } from './parse-keyspace-policy';

@ApiTags('keyspaces')
@Controller('v1/keyspaces')
export class KeyspacesController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly catalog: CatalogCacheService,
  ) {}

  @Put(':name')
  @ApiOperation({ summary: "Create or change a keyspace's policy; omitted fields take their defaults" })
  @ApiBody({ type: KeyspacePolicyBody })
  @ApiResponse({ status: 200, type: KeyspacePolicyView })
  @ApiResponse({ status: 400, type: ErrorBody })
  async put(@Param('name') name: string, @Req() request: FastifyRequest): Promise<KeyspacePolicy> {
    const policy = parseKeyspacePolicy(name, request.body as Buffer | undefined);
    const existing = this.catalog.list().find((held) => held.name === name);
    if (existing !== undefined && existing.consistency !== policy.consistency) {
      // Eventual versions and strong acceptor state are stored apart: switching would hide the data.
      throw new ApiError(ErrorCode.InvalidKeyspacePolicy, `keyspace ${name} is ${existing.consistency}; a keyspace's consistency cannot change once created`);
    }
    const catalog = await this.rpc.request<Catalog>(MembershipPatterns.putKeyspace, { requestId: request.id, policy });
    this.catalog.apply(catalog);
    return policy;
  }

  @Get()
  @ApiOperation({ summary: 'Every keyspace and its policy' })
  @ApiResponse({ status: 200, type: [KeyspacePolicyView] })
  list(): { keyspaces: KeyspacePolicy[] } {
    return { keyspaces: this.catalog.list() };
  }

  @Get(':name')
  @ApiOperation({ summary: "One keyspace's policy" })
  @ApiResponse({ status: 200, type: KeyspacePolicyView })
  @ApiResponse({ status: 404, type: ErrorBody })
  get(@Param('name') name: string): Promise<KeyspacePolicy> {
    return this.catalog.policyOf(name);
  }
}
