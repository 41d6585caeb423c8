import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import {
  MembershipEvents,
  MembershipPatterns,
  type AcceptorsRebuilt,
  type Heartbeat,
  type HeartbeatAnswer,
  type NodeRegistration,
  type RebalanceRequest,
  type RingView,
} from '@geokv/protocol';
import { RebalanceRefused } from './rebalance-plan';
import { RegistryService } from './registry.service';

@Controller()
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @MessagePattern(MembershipPatterns.register)
  async register(@Payload() registration: NodeRegistration): Promise<RingView> {
    await this.registry.heard(registration);
    return this.registry.ring();
  }

  /** Answered with the epoch once the heartbeat is taken in (see HeartbeatAnswer): the node's acceptor lease rests on it. */
  @MessagePattern(MembershipPatterns.heartbeat)
  async heartbeat(@Payload() registration: Heartbeat): Promise<HeartbeatAnswer> {
    // A failed status change is logged by the registry and retried by the next heartbeat.
    await this.registry.heard(registration).catch(() => undefined);
    return { epoch: this.registry.currentEpoch };
  }

  @EventPattern(MembershipEvents.selfEcho)
  selfEcho(): void {
    this.registry.hearSelf();
  }

  @MessagePattern(MembershipPatterns.rebalance)
  async rebalance(@Payload() request: RebalanceRequest): Promise<RingView> {
    try {
      return await this.registry.startRebalance(request.kind, request.nodeId);
    } catch (error) {
      if (error instanceof RebalanceRefused) throw new RpcException({ code: error.code, message: error.message });
      throw error;
    }
  }

  @MessagePattern(MembershipPatterns.acceptorsRebuilt)
  acceptorsRebuilt(@Payload() report: AcceptorsRebuilt): { taken: true } {
    this.registry.acceptorsRebuilt(report);
    return { taken: true };
  }

  @MessagePattern(MembershipPatterns.ring)
  ring(): RingView {
    return this.registry.ring();
  }
}
