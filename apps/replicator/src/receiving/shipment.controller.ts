import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ReplicationPatterns, type ReplicationStatus, type ShipmentRequest, type ShipmentResult } from '@geokv/protocol';
import { OutboxShipper } from '../shipping/outbox-shipper.service';
import { RemoteApplier } from './remote-applier.service';

/** Region-addressed handlers: shipments from peers, and the status view for this region's gateway. */
@Controller()
export class ShipmentController {
  constructor(
    private readonly applier: RemoteApplier,
    private readonly shipper: OutboxShipper,
  ) {}

  @MessagePattern(ReplicationPatterns.ship)
  ship(@Payload() shipment: ShipmentRequest): Promise<ShipmentResult> {
    return this.applier.apply(shipment);
  }

  @MessagePattern(ReplicationPatterns.status)
  status(): ReplicationStatus {
    return this.shipper.status();
  }
}
