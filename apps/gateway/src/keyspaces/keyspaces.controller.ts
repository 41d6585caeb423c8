import { Controller, Delete, Get, HttpCode, Param, Put, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_KEYSPACE, ErrorCode, MembershipPatterns, type Catalog, type DeleteKeyspaceRequest, type KeyspacePolicy } from '@geokv/protocol';
import { CatalogCacheService } from '../catalog/catalog-cache.service';
import { ApiError } from '../errors/api-error';
import { ErrorBody } from '../errors/error-body';
import { RpcClient } from '../rpc/rpc-client';
import { KeyspacePolicyBody, KeyspacePolicyView } from './keyspace-policy.body';
import { KEYSPACE_NAME, KEYSPACE_NAME_RULE, parseKeyspacePolicy } from './parse-keyspace-policy';

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
  @ApiResponse({ status: 409, type: ErrorBody, description: 'KEYSPACE_DELETED: the name belonged to a deleted keyspace' })
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

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a keyspace in every region',
    description:
      'Its keys answer 404 KEYSPACE_NOT_FOUND at once in this region and as the deletion replicates elsewhere; every storage node of every region purges its data, and drops versions of it that still arrive. The name is never reused (409 KEYSPACE_DELETED).',
  })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 400, type: ErrorBody })
  @ApiResponse({ status: 404, type: ErrorBody })
  async delete(@Param('name') name: string, @Req() request: FastifyRequest): Promise<void> {
    if (!KEYSPACE_NAME.test(name)) throw new ApiError(ErrorCode.BadRequest, KEYSPACE_NAME_RULE);
    if (name === DEFAULT_KEYSPACE.name) throw new ApiError(ErrorCode.InvalidKeyspacePolicy, `keyspace '${name}' always exists and cannot be deleted`);
    const deletion: DeleteKeyspaceRequest = { requestId: request.id, name };
    this.catalog.apply(await this.rpc.request<Catalog>(MembershipPatterns.deleteKeyspace, deletion));
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
