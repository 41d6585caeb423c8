import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Ring } from '@geokv/partitioning';
import {
  ErrorCode,
  MembershipPatterns,
  ReplicationPatterns,
  type AntiEntropyReport,
  type RebalanceKind,
  type RebalanceRequest,
  type ReplicationStatus,
  type RingView,
} from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import { ErrorBody } from '../errors/error-body';
import { parseJsonObject } from '../http/parse-json-object';
import { RpcClient } from '../rpc/rpc-client';
import { AntiEntropyView, JoinNodeBody, NodesView, ReplicationView, RingSummary } from './admin.schemas';

/** Node ids as storage nodes accept them (GEOKV_NODE_ID). */
const NODE_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

function nodeIdOf(raw: unknown): string {
  if (typeof raw !== 'string' || !NODE_ID.test(raw)) {
    throw new ApiError(ErrorCode.BadRequest, 'nodeId must be a node id: 1 to 32 lowercase letters, digits and dashes');
  }
  return raw;
}

function ringSummaryOf(view: RingView): RingSummary {
  const ownership = view.members.length === 0 ? new Map<string, number>() : new Ring(view.members.map((id) => ({ id })), { vnodesPerNode: view.vnodesPerNode }).ownership();
  const rebalance = view.rebalance;
  return {
    region: view.region,
    epoch: view.epoch,
    vnodesPerNode: view.vnodesPerNode,
    members: [...view.members],
    nodes: view.nodes.map((node) => ({ id: node.id, status: node.status, role: node.role, ownership: ownership.get(node.id) ?? 0 })),
    rebalance:
      rebalance === null
        ? null
        : (({ startedAtMs, ...progress }) => ({ ...progress, target: [...progress.target], nodesDone: [...progress.nodesDone], startedAt: new Date(startedAtMs).toISOString() }))(rebalance),
  };
}

/** A run digests every key of the region and may move many versions; it is bounded, but not by the 5 s default. */
const ANTI_ENTROPY_TIMEOUT_MS = 120_000;

/** Operator views, read from membership (the source of truth) rather than this gateway's cached ring. */
@ApiTags('admin')
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('ring')
  @ApiOperation({ summary: "The ring: epoch, members, each node's share of the key space, and the rebalance in progress" })
  @ApiResponse({ status: 200, type: RingSummary })
  @ApiResponse({ status: 503, type: ErrorBody })
  async ring(): Promise<RingSummary> {
    return ringSummaryOf(await this.rpc.request<RingView>(MembershipPatterns.ring, {}));
  }

  @Post('nodes')
  @HttpCode(202)
  @ApiOperation({ summary: 'Join a standby node to the ring: its share of the data is streamed to it, then it serves' })
  @ApiBody({ type: JoinNodeBody })
  @ApiResponse({ status: 202, type: RingSummary, description: 'The rebalance has started; follow it at GET /v1/admin/ring' })
  @ApiResponse({ status: 400, type: ErrorBody })
  @ApiResponse({ status: 404, type: ErrorBody })
  @ApiResponse({ status: 409, type: ErrorBody, description: 'Another rebalance is running, or the node is already a member' })
  async join(@Req() request: FastifyRequest): Promise<RingSummary> {
    const body = parseJsonObject(request.body as Buffer | undefined) as Record<string, unknown>;
    const nodeId = body.nodeId;
    if (Object.keys(body).some((field) => field !== 'nodeId')) throw new ApiError(ErrorCode.BadRequest, 'the body has only nodeId');
    return this.rebalance(request.id, 'join', nodeIdOf(nodeId));
  }

  @Post('nodes/:id/drain')
  @HttpCode(202)
  @ApiOperation({ summary: "Drain a node: its data moves to the other nodes, then it leaves the ring as a standby holding nothing" })
  @ApiParam({ name: 'id', example: 'n2' })
  @ApiResponse({ status: 202, type: RingSummary })
  @ApiResponse({ status: 404, type: ErrorBody })
  @ApiResponse({ status: 409, type: ErrorBody })
  drain(@Param('id') id: string, @Req() request: FastifyRequest): Promise<RingSummary> {
    return this.rebalance(request.id, 'drain', nodeIdOf(id));
  }

  @Delete('nodes/:id')
  @HttpCode(202)
  @ApiOperation({ summary: "Remove a node (a dead one too): its keys are streamed from their other replicas, then it is forgotten" })
  @ApiParam({ name: 'id', example: 'n2' })
  @ApiResponse({ status: 202, type: RingSummary })
  @ApiResponse({ status: 404, type: ErrorBody })
  @ApiResponse({ status: 409, type: ErrorBody })
  leave(@Param('id') id: string, @Req() request: FastifyRequest): Promise<RingSummary> {
    return this.rebalance(request.id, 'leave', nodeIdOf(id));
  }

  private async rebalance(requestId: string, kind: RebalanceKind, nodeId: string): Promise<RingSummary> {
    const change: RebalanceRequest = { requestId, kind, nodeId };
    return ringSummaryOf(await this.rpc.request<RingView>(MembershipPatterns.rebalance, change));
  }

  @Get('nodes')
  @ApiOperation({ summary: 'Registered storage nodes with their status and last heartbeat' })
  @ApiResponse({ status: 200, type: NodesView })
  @ApiResponse({ status: 503, type: ErrorBody })
  async nodes(): Promise<NodesView> {
    const view = await this.rpc.request<RingView>(MembershipPatterns.ring, {});
    return {
      region: view.region,
      epoch: view.epoch,
      nodes: view.nodes.map((node) => ({
        id: node.id,
        status: node.status,
        role: node.role,
        httpUrl: node.httpUrl,
        joinedAt: new Date(node.joinedAtMs).toISOString(),
        lastHeartbeatAt: new Date(node.lastHeartbeatMs).toISOString(),
      })),
    };
  }

  @Get('replication')
  @ApiOperation({ summary: 'Replication to each peer region: lag, backlog, last successful apply and link state' })
  @ApiResponse({ status: 200, type: ReplicationView })
  @ApiResponse({ status: 503, type: ErrorBody })
  async replication(): Promise<ReplicationView> {
    const status = await this.rpc.request<ReplicationStatus>(ReplicationPatterns.status, {});
    return {
      region: status.region,
      peers: status.peers.map((peer) => ({
        peer: peer.peer,
        linkState: peer.linkState,
        lagSeconds: peer.lagSeconds,
        backlog: peer.backlog,
        lastSuccessfulApply: peer.lastSuccessfulApplyMs === null ? null : new Date(peer.lastSuccessfulApplyMs).toISOString(),
        lastError: peer.lastError,
      })),
    };
  }

  @Post('anti-entropy')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Compare Merkle trees with every peer region now and repair the differences, in both directions',
  })
  @ApiResponse({ status: 200, type: AntiEntropyView })
  @ApiResponse({ status: 503, type: ErrorBody })
  async antiEntropy(): Promise<AntiEntropyView> {
    const report = await this.rpc.request<AntiEntropyReport>(ReplicationPatterns.antiEntropy, {}, ReplicationPatterns.antiEntropy, ANTI_ENTROPY_TIMEOUT_MS);
    return { region: report.region, peers: report.peers.map((peer) => ({ ...peer })) };
  }
}
