import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  StoragePatterns,
  type ListRequest,
  type ListResult,
  type ReadRequest,
  type ReadResult,
  type WriteRequest,
  type WriteResult,
} from '@geokv/protocol';
import { KvService } from './kv.service';
import { StorageRpcErrorFilter } from './storage-rpc-error.filter';

/** Node-addressed request handlers; NodeAddressedRedisServer fills in this node's id. */
@Controller()
@UseFilters(StorageRpcErrorFilter)
export class KvController {
  constructor(private readonly kv: KvService) {}

  @MessagePattern(StoragePatterns.write)
  write(@Payload() request: WriteRequest): Promise<WriteResult> {
    return this.kv.write(request);
  }

  @MessagePattern(StoragePatterns.read)
  read(@Payload() request: ReadRequest): Promise<ReadResult> {
    return this.kv.read(request);
  }

  @MessagePattern(StoragePatterns.list)
  list(@Payload() request: ListRequest): Promise<ListResult> {
    return this.kv.list(request);
  }
}
