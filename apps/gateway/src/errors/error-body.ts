import { ApiProperty } from '@nestjs/swagger';
import { ErrorCode } from '@geokv/protocol';

/** Every error response: `{ error, message, requestId }`. */
export class ErrorBody {
  @ApiProperty({ enum: Object.values(ErrorCode), example: ErrorCode.InvalidKey })
  error!: ErrorCode;

  @ApiProperty({ example: 'key must be 1 to 1024 bytes of UTF-8' })
  message!: string;

  @ApiProperty({ example: '5b0c8f7e-4a0e-4a53-9d1e-6b1f0f0f7c2a' })
  requestId!: string;
}
