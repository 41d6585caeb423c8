import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload, type ClientProxy } from '@nestjs/microservices';
import { APP_CONFIG } from '@geokv/config';
import {
  MembershipPatterns,
  ReplicationPatterns,
  type AdoptDefinitionsRequest,
  type AdoptDefinitionsResult,
  type KeyspacesShipment,
  type ReplicationStatus,
  type ShipmentRequest,
  type ShipmentResult,
} from '@geokv/protocol';
import { LOCAL_TRANSPORT } from '../region/tokens';
import { transportCall } from '../region/transport-call';
import type { ReplicatorConfig } from '../replicator.config';
import { OutboxShipper } from '../shipping/outbox-shipper.service';
import { RemoteApplier } from './remote-applier.service';

/** Region-addressed handlers: shipments from peers, and the status view for this region's gateway. */
@Controller()
export class ShipmentController {
  constructor(
    private readonly applier: RemoteApplier,
    private readonly shipper: OutboxShipper,
    @Inject(LOCAL_TRANSPORT) private readonly local: ClientProxy,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
  ) {}

  @MessagePattern(ReplicationPatterns.ship)
  ship(@Payload() shipment: ShipmentRequest): Promise<ShipmentResult> {
    return this.applier.apply(shipment);
  }

  /** A peer's keyspace definitions: membership adopts those newer than its own. */
  @MessagePattern(ReplicationPatterns.keyspaces)
  keyspaces(@Payload() shipment: KeyspacesShipment): Promise<AdoptDefinitionsResult> {
    const request: AdoptDefinitionsRequest = { requestId: shipment.requestId, definitions: shipment.definitions };
    return transportCall(this.local, MembershipPatterns.adoptDefinitions, request, this.config.GEOKV_RPC_TIMEOUT_MS);
  }

  @MessagePattern(ReplicationPatterns.status)
  status(): ReplicationStatus {
    return this.shipper.status();
  }
}
