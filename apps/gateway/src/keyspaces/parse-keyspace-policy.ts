import { DEFAULT_KEYSPACE, ErrorCode, type KeyspacePolicy } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import { parseJsonObject } from '../http/parse-json-object';
import { validatedBody } from '../http/validated-body';
import { KeyspacePolicyBody } from './keyspace-policy.body';

export const KEYSPACE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const KEYSPACE_NAME_RULE = 'keyspace names are 1 to 63 characters: a-z, 0-9, _ and -, starting with a letter or digit';

/**
 * Turns a PUT /v1/keyspaces/{name} request into a complete policy, or throws a 400 that says what is
 * wrong. Omitted fields take the defaults of keyspace `default` (quorums: a majority of the replication
 * factor). A strong keyspace keeps one acceptor copy per region and never has conflicts, so its
 * replication and conflict fields are refused rather than accepted and ignored.
 */
export function parseKeyspacePolicy(name: string, body: Buffer | undefined): KeyspacePolicy {
  if (!KEYSPACE_NAME.test(name)) {
    throw new ApiError(ErrorCode.InvalidKeyspacePolicy, KEYSPACE_NAME_RULE);
  }
  const input = validatedBody(KeyspacePolicyBody, parseJsonObject(body), ErrorCode.InvalidKeyspacePolicy);
  const policy: KeyspacePolicy = {
    name,
    consistency: input.consistency ?? DEFAULT_KEYSPACE.consistency,
    conflictResolution: input.conflictResolution ?? DEFAULT_KEYSPACE.conflictResolution,
    defaultTtlSeconds: input.defaultTtlSeconds ?? null,
    replicationFactor: input.replicationFactor ?? DEFAULT_KEYSPACE.replicationFactor,
    readQuorum: input.readQuorum ?? majorityOf(input.replicationFactor ?? DEFAULT_KEYSPACE.replicationFactor),
    writeQuorum: input.writeQuorum ?? majorityOf(input.replicationFactor ?? DEFAULT_KEYSPACE.replicationFactor),
  };
  if (policy.readQuorum > policy.replicationFactor || policy.writeQuorum > policy.replicationFactor) {
    throw new ApiError(ErrorCode.InvalidKeyspacePolicy, 'readQuorum and writeQuorum must not exceed replicationFactor');
  }
  if (policy.consistency === 'strong') {
    const meaningless = (['conflictResolution', 'replicationFactor', 'readQuorum', 'writeQuorum'] as const).filter((field) => input[field] !== undefined);
    if (meaningless.length > 0) {
      throw new ApiError(
        ErrorCode.InvalidKeyspacePolicy,
        `${meaningless.join(', ')} do not apply to a strong keyspace: its operations are decided by a majority of regions and never conflict`,
      );
    }
  }
  return policy;
}

/** The default quorum: a majority, so that a read quorum and a write quorum always share a replica. */
function majorityOf(replicas: number): number {
  return Math.floor(replicas / 2) + 1;
}
