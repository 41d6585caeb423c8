import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI shapes of the key-value responses that have a JSON body. */
export class Sibling {
  @ApiProperty({ description: 'The value: UTF-8 text for textual content types, base64 otherwise' })
  value!: string;

  @ApiProperty({ enum: ['utf8', 'base64'] })
  encoding!: 'utf8' | 'base64';

  @ApiProperty({ example: 'text/plain' })
  contentType!: string;

  @ApiProperty()
  etag!: string;

  @ApiProperty({ example: 'us-east' })
  originRegion!: string;

  @ApiProperty({ format: 'date-time' })
  lastModified!: string;
}

export class SiblingsBody {
  @ApiProperty({ type: [Sibling] })
  siblings!: Sibling[];
}

export class KeyPage {
  @ApiProperty({ type: [String] })
  keys!: string[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page. A page may hold fewer than `limit` keys and still have a cursor.' })
  cursor!: string | null;
}
