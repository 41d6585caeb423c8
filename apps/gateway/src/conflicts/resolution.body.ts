import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** POST /v1/admin/conflicts: the value that replaces a key's siblings. */
export class ResolutionBody {
  @ApiProperty() @IsString({ message: 'keyspace must be a string' }) @MinLength(1) keyspace!: string;

  @ApiProperty() @IsString({ message: 'key must be a string' }) key!: string;

  @ApiProperty({ description: 'The chosen or merged value, as text or base64 (see encoding)' })
  @IsString({ message: 'value must be a string' })
  value!: string;

  @ApiPropertyOptional({ enum: ['utf8', 'base64'], default: 'utf8' })
  @IsOptional()
  @IsIn(['utf8', 'base64'], { message: 'encoding must be utf8 or base64' })
  encoding?: 'utf8' | 'base64';

  @ApiPropertyOptional({ default: 'application/octet-stream' })
  @IsOptional()
  @IsString({ message: 'contentType must be a string' })
  @MaxLength(255)
  contentType?: string;
}

export class ResolvedView {
  @ApiProperty() keyspace!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ description: 'How many siblings the resolution replaced' }) resolvedSiblings!: number;
  @ApiProperty() etag!: string;
  @ApiProperty({ description: 'The causal context of the resolved value' }) context!: string;
}

export class OpenConflictView {
  @ApiProperty() keyspace!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ description: 'Versions queued for this key' }) siblings!: number;
  @ApiProperty({ format: 'date-time' }) queuedAt!: string;
}

export class OpenConflictsView {
  @ApiProperty({ type: [OpenConflictView] }) conflicts!: OpenConflictView[];
}
