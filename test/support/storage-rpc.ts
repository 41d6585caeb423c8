import { PersistentReplyRedisClient, redisOptionsFromUrl } from '@geokv/config';
import {
  type AcceptorKeysRequest,
  type AcceptorStatesRequest,
  addressTo,
  isRpcErrorBody,
  StoragePatterns,
  type ApplyRemoteRequest,
  type ApplyRemoteResult,
  type BatchRequest,
  type BatchResponse,
  type BucketDigestsRequest,
  type BucketDigestsResult,
  type BucketVersionsRequest,
  type NodeBucketVersions,
  type CollectGarbageRequest,
  type CollectGarbageResult,
  type ListResult,
  type NodeAcceptorStates,
  type OpenConflictsRequest,
  type OpenConflictsResult,
  type OutboxAckRequest,
  type OutboxReadRequest,
  type OutboxReadResult,
  type PrepareRequest,
  type PrepareResult,
  type ReadRequest,
  type ReadResult,
  type RpcErrorBody,
  type WriteRequest,
  type WriteResult,
} from '@geokv/protocol';

/**
 * A client of one region's storage nodes over the real Redis transport, as the gateway talks to them:
 * node-addressed channels and a deadline on every request.
 */
export class StorageRpc {
  private constructor(private readonly client: PersistentReplyRedisClient) {}

  static async connect(redisUrl: string): Promise<StorageRpc> {
    // Retries so that the client survives a Redis restart in the middle of a test, as the apps do.
    const client = new PersistentReplyRedisClient({ ...redisOptionsFromUrl(redisUrl), retryAttempts: 1_000, retryDelay: 200 });
    await client.connect();
    return new StorageRpc(client);
  }

  write(nodeId: string, request: WriteRequest, timeoutMs = 10_000): Promise<WriteResult> {
    return this.send<WriteResult>(addressTo(StoragePatterns.write, nodeId), request, timeoutMs);
  }

  read(nodeId: string, request: ReadRequest, timeoutMs = 10_000): Promise<ReadResult> {
    return this.send<ReadResult>(addressTo(StoragePatterns.read, nodeId), request, timeoutMs);
  }

  outboxRead(nodeId: string, request: OutboxReadRequest, timeoutMs = 10_000): Promise<OutboxReadResult> {
    return this.send<OutboxReadResult>(addressTo(StoragePatterns.outboxRead, nodeId), request, timeoutMs + request.waitMs);
  }

  outboxAck(nodeId: string, request: OutboxAckRequest, timeoutMs = 10_000): Promise<unknown> {
    return this.send(addressTo(StoragePatterns.outboxAck, nodeId), request, timeoutMs);
  }

  /** Versions written in another region, as this region's replicator hands them to a node. */
  applyRemote(nodeId: string, request: ApplyRemoteRequest, timeoutMs = 10_000): Promise<ApplyRemoteResult> {
    return this.send<ApplyRemoteResult>(addressTo(StoragePatterns.applyRemote, nodeId), request, timeoutMs);
  }

  /** What the region's replicator asks of every node on its GC timer. */
  collectGarbage(nodeId: string, request: CollectGarbageRequest, timeoutMs = 10_000): Promise<CollectGarbageResult> {
    return this.send<CollectGarbageResult>(addressTo(StoragePatterns.collectGarbage, nodeId), request, timeoutMs);
  }

  /** Keys of manual keyspaces queued for an operator, as the gateway's GET /v1/admin/conflicts asks. */
  openConflicts(nodeId: string, request: OpenConflictsRequest, timeoutMs = 10_000): Promise<OpenConflictsResult> {
    return this.send<OpenConflictsResult>(addressTo(StoragePatterns.openConflicts, nodeId), request, timeoutMs);
  }

  /** A strong listing's question, as the gateway (or a peer's, through the replicator) asks it. */
  acceptorKeys(nodeId: string, request: AcceptorKeysRequest, timeoutMs = 10_000): Promise<ListResult> {
    return this.send<ListResult>(addressTo(StoragePatterns.acceptorKeys, nodeId), request, timeoutMs);
  }

  /** A proposer's phase 1, as the gateway sends it to its region's acceptors. */
  prepare(nodeId: string, batch: BatchRequest<PrepareRequest>, timeoutMs = 10_000): Promise<BatchResponse<PrepareResult>> {
    return this.send<BatchResponse<PrepareResult>>(addressTo(StoragePatterns.acceptorPrepareBatch, nodeId), batch, timeoutMs);
  }

  /** A peer region rebuilding a lost node, as this region's replicator relays it. */
  acceptorStates(nodeId: string, request: AcceptorStatesRequest, timeoutMs = 10_000): Promise<NodeAcceptorStates> {
    return this.send<NodeAcceptorStates>(addressTo(StoragePatterns.acceptorStates, nodeId), request, timeoutMs);
  }

  /** Anti-entropy's questions, as the region's replicator asks them. */
  bucketDigests(nodeId: string, request: BucketDigestsRequest = {}, timeoutMs = 30_000): Promise<BucketDigestsResult> {
    return this.send<BucketDigestsResult>(addressTo(StoragePatterns.bucketDigests, nodeId), request, timeoutMs);
  }

  bucketVersions(nodeId: string, request: BucketVersionsRequest, timeoutMs = 30_000): Promise<NodeBucketVersions> {
    return this.send<NodeBucketVersions>(addressTo(StoragePatterns.bucketVersions, nodeId), request, timeoutMs);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private send<T>(channel: string, payload: object, timeoutMs: number): Promise<T> {
    return this.client.request<T>(channel, payload, timeoutMs);
  }
}

/** The typed error a storage node answered with; fails the test if the promise resolved or failed otherwise. */
export async function rpcErrorOf(pending: Promise<unknown>): Promise<RpcErrorBody> {
  let outcome: unknown;
  try {
    outcome = await pending;
  } catch (error) {
    if (isRpcErrorBody(error)) return error;
    throw new Error(`expected a typed RPC error, got ${error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error)}`);
  }
  throw new Error(`expected a typed RPC error, but the request succeeded with ${JSON.stringify(outcome)}`);
}
