import { ApiProperty } from '@nestjs/swagger';

export class RingNode {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty({ description: 'Fraction of the hash space this node owns' }) ownership!: number;
}

export class RingSummary {
  @ApiProperty() region!: string;
  @ApiProperty() epoch!: number;
  @ApiProperty() vnodesPerNode!: number;
  @ApiProperty({ type: [RingNode] }) nodes!: RingNode[];
}

export class NodeDetail {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty() httpUrl!: string;
  @ApiProperty({ format: 'date-time' }) joinedAt!: string;
  @ApiProperty({ format: 'date-time' }) lastHeartbeatAt!: string;
}

export class NodesView {
  @ApiProperty() region!: string;
  @ApiProperty() epoch!: number;
  @ApiProperty({ type: [NodeDetail] }) nodes!: NodeDetail[];
}
