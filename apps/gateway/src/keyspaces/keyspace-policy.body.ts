import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { CONFLICT_RESOLUTIONS, CONSISTENCIES, type ConflictResolution, type Consistency } from '@geokv/protocol';
import { MAX_TTL_SECONDS } from '../kv/kv-headers';

/** The body of PUT /v1/keyspaces/{name}: validated at the edge, unknown fields rejected. */
export class KeyspacePolicyBody {
  @ApiPropertyOptional({ enum: CONSISTENCIES, default: 'eventual' })
  @IsOptional()
  @IsIn(CONSISTENCIES)
  consistency?: Consistency;

  @ApiPropertyOptional({ enum: CONFLICT_RESOLUTIONS, default: 'lww' })
  @IsOptional()
  @IsIn(CONFLICT_RESOLUTIONS)
  conflictResolution?: ConflictResolution;

  @ApiPropertyOptional({ type: Number, nullable: true, default: null, description: 'Seconds; null for no expiry' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TTL_SECONDS)
  defaultTtlSeconds?: number | null;

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7)
  replicationFactor?: number;

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7)
  readQuorum?: number;

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7)
  writeQuorum?: number;
}

export class KeyspacePolicyView {
  @ApiProperty({ example: 'carts' }) name!: string;
  @ApiProperty({ enum: CONSISTENCIES }) consistency!: Consistency;
  @ApiProperty({ enum: CONFLICT_RESOLUTIONS }) conflictResolution!: ConflictResolution;
  @ApiProperty({ type: Number, nullable: true }) defaultTtlSeconds!: number | null;
  @ApiProperty() replicationFactor!: number;
  @ApiProperty() readQuorum!: number;
  @ApiProperty() writeQuorum!: number;
}
