import { ApiProperty } from '@nestjs/swagger';
import type { RebalancePhase } from '@geokv/protocol';

export class RingNode {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty({ enum: ['member', 'standby'], description: 'Members hold data; a standby waits to be joined' }) role!: 'member' | 'standby';
  @ApiProperty({ description: 'Fraction of the hash space this node is the primary replica of' }) ownership!: number;
}

export class RebalanceProgress {
  @ApiProperty({ description: 'Unique: the ring epoch at which it started' }) id!: number;
  @ApiProperty({ enum: ['join', 'drain', 'leave'] }) kind!: 'join' | 'drain' | 'leave';
  @ApiProperty() node!: string;
  @ApiProperty({ type: [String], description: 'The ring once it is done' }) target!: string[];
  @ApiProperty({
    enum: ['propagating', 'streaming', 'acceptors'],
    description: 'propagating: nodes adopt the new ring; streaming: data moves to new replicas; acceptors: strong keys whose acceptor node changes move their acceptor state',
  })
  phase!: RebalancePhase;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ description: 'Partitions (arcs between tokens) whose replicas change' }) partitionsMoving!: number;
  @ApiProperty({ description: 'Of those, partitions whose data has not finished moving' }) partitionsPending!: number;
  @ApiProperty() keysMoved!: number;
  @ApiProperty() bytesMoved!: number;
  @ApiProperty({ description: 'Strong keys whose acceptor state has moved to their new acceptor node' }) acceptorsMoved!: number;
  @ApiProperty({ description: "A leave of a node that is down: its strong keys' acceptor state has been rebuilt from the peer regions'" }) acceptorsRebuilt!: boolean;
  @ApiProperty({ type: [String], description: 'Nodes that have finished their part of the current phase' }) nodesDone!: string[];
}

export class RingSummary {
  @ApiProperty() region!: string;
  @ApiProperty() epoch!: number;
  @ApiProperty() vnodesPerNode!: number;
  @ApiProperty({ type: [String], description: 'The nodes keys are placed on' }) members!: string[];
  @ApiProperty({ type: [RingNode] }) nodes!: RingNode[];
  @ApiProperty({ type: RebalanceProgress, nullable: true, description: 'The join, drain or leave in progress' }) rebalance!: RebalanceProgress | null;
}

export class JoinNodeBody {
  @ApiProperty({ example: 'n4', description: 'A registered standby node' }) nodeId!: string;
}

export class NodeDetail {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty({ enum: ['member', 'standby'] }) role!: 'member' | 'standby';
  @ApiProperty() httpUrl!: string;
  @ApiProperty({ format: 'date-time' }) joinedAt!: string;
  @ApiProperty({ format: 'date-time' }) lastHeartbeatAt!: string;
}

export class NodesView {
  @ApiProperty() region!: string;
  @ApiProperty() epoch!: number;
  @ApiProperty({ type: [NodeDetail] }) nodes!: NodeDetail[];
}

export class PeerReplication {
  @ApiProperty({ description: 'The peer region' }) peer!: string;
  @ApiProperty({ enum: ['up', 'down', 'unknown'], description: "Whether the peer's replicator answered the last shipment or probe" })
  linkState!: 'up' | 'down' | 'unknown';
  @ApiProperty({ description: 'Age in seconds of the oldest local write the peer has not acknowledged; 0 when none is pending' })
  lagSeconds!: number;
  @ApiProperty({ description: 'Local writes the peer has not acknowledged' }) backlog!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When the peer last applied a shipment' })
  lastSuccessfulApply!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the last shipment or probe failed, if it did' })
  lastError!: string | null;
}

export class ReplicationView {
  @ApiProperty() region!: string;
  @ApiProperty({ type: [PeerReplication] }) peers!: PeerReplication[];
}

export class AntiEntropyPeer {
  @ApiProperty() peer!: string;
  @ApiProperty({ description: 'Keys this region digested' }) keysCompared!: number;
  @ApiProperty({ description: 'Buckets of the hash space whose digests differed' }) bucketsDiffering!: number;
  @ApiProperty({ description: 'Versions one side lacked that changed it when merged, both directions' }) versionsRepaired!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

export class AntiEntropyView {
  @ApiProperty() region!: string;
  @ApiProperty({ type: [AntiEntropyPeer] }) peers!: AntiEntropyPeer[];
}
