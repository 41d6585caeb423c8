import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import { APP_CONFIG, NoReceiverError, TransportTimeoutError, type PersistentReplyRedisClient } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { ErrorCode, isRpcErrorBody } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import type { GatewayConfig } from '../gateway.config';
import { TRANSPORT_CLIENT } from './tokens';

/**
 * Request/response over the Redis transport with a deadline on every call. A typed error from the other
 * side keeps its code; silence past the deadline is TIMEOUT (503), and a write that timed out may or may
 * not have been applied, which the message says. A request nothing was listening for is NODE_UNAVAILABLE
 * (503) at once, and was not applied.
 */
@Injectable()
export class RpcClient implements OnApplicationShutdown {
  constructor(
    @Inject(TRANSPORT_CLIENT) private readonly client: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @InjectMetric(Metric.rpcDuration) private readonly duration: Histogram<string>,
  ) {}

  /**
   * @param channel the concrete channel (node-addressed where needed)
   * @param metricPattern the pattern template, so that metrics get one series per operation, not per node
   * @param timeoutMs for the rare operation that is slow by nature (an anti-entropy run); default GEOKV_RPC_TIMEOUT_MS
   */
  async request<T>(channel: string, payload: object, metricPattern: string = channel, timeoutMs = this.config.GEOKV_RPC_TIMEOUT_MS): Promise<T> {
    const end = this.duration.startTimer({ pattern: metricPattern });
    try {
      const result = await this.client.request<T>(channel, payload, timeoutMs);
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: error instanceof TransportTimeoutError ? 'timeout' : 'error' });
      throw this.toApiError(channel, error, timeoutMs);
    }
  }

  onApplicationShutdown(): Promise<void> {
    return this.client.close() as Promise<void>;
  }

  private toApiError(channel: string, error: unknown, timeoutMs: number): ApiError {
    if (error instanceof TransportTimeoutError) {
      return new ApiError(ErrorCode.Timeout, `no answer on ${channel} within ${timeoutMs} ms; a write may or may not have been applied`);
    }
    if (error instanceof NoReceiverError) {
      return new ApiError(ErrorCode.NodeUnavailable, `nothing is listening on ${channel} (the process that serves it is down, restarting, or not run in this region); the request was not delivered`);
    }
    if (isRpcErrorBody(error)) return new ApiError(error.code, error.message);
    return new ApiError(ErrorCode.NodeUnavailable, `request on ${channel} failed: ${(error as Error).message ?? 'unknown error'}`);
  }
}
