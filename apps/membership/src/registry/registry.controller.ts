import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { MembershipEvents, MembershipPatterns, type NodeRegistration, type RingView } from '@geokv/protocol';
import { RegistryService } from './registry.service';

@Controller()
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @MessagePattern(MembershipPatterns.register)
  async register(@Payload() registration: NodeRegistration): Promise<RingView> {
    await this.registry.heard(registration);
    return this.registry.ring();
  }

  @EventPattern(MembershipEvents.heartbeat)
  async heartbeat(@Payload() registration: NodeRegistration): Promise<void> {
    // A failed status change is logged by the registry and retried by the next heartbeat.
    await this.registry.heard(registration).catch(() => undefined);
  }

  @EventPattern(MembershipEvents.selfEcho)
  selfEcho(): void {
    this.registry.hearSelf();
  }

  @MessagePattern(MembershipPatterns.ring)
  ring(): RingView {
    return this.registry.ring();
  }
}
