import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ring } from '@geokv/partitioning';
import { MembershipPatterns, ReplicationPatterns, type AntiEntropyReport, type ReplicationStatus, type RingView } from '@geokv/protocol';
import { ErrorBody } from '../errors/error-body';
import { RpcClient } from '../rpc/rpc-client';
import { AntiEntropyView, NodesView, ReplicationView, RingSummary } from './admin.schemas';

/** A run digests every key of the region and may move many versions; it is bounded, but not by the 5 s default. */
const ANTI_ENTROPY_TIMEOUT_MS = 120_000;

/** Operator views, read from membership (the source of truth) rather than this gateway's cached ring. */
@ApiTags('admin')
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('ring')
  @ApiOperation({ summary: "The ring: epoch, virtual nodes, and each node's share of the key space" })
  @ApiResponse({ status: 200, type: RingSummary })
  @ApiResponse({ status: 503, type: ErrorBody })
  async ring(): Promise<RingSummary> {
    const view = await this.rpc.request<RingView>(MembershipPatterns.ring, {});
    const ownership = view.nodes.length === 0 ? new Map<string, number>() : new Ring(view.nodes, { vnodesPerNode: view.vnodesPerNode }).ownership();
    return {
      region: view.region,
      epoch: view.epoch,
      vnodesPerNode: view.vnodesPerNode,
      nodes: view.nodes.map((node) => ({ id: node.id, status: node.status, ownership: ownership.get(node.id) ?? 0 })),
    };
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
