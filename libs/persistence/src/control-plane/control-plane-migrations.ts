import { ControlPlaneSchema1764100000001 } from './1764100000001-control-plane-schema';
import { KeyspaceOrigins1764200000001 } from './1764200000001-keyspace-origins';
import { RingMembership1764300000001 } from './1764300000001-ring-membership';
import { KeyspaceDeletion1764700000001 } from './1764700000001-keyspace-deletion';

/** In order. Listed explicitly rather than globbed so that a build can never miss or reorder one. */
export const CONTROL_PLANE_MIGRATIONS = [ControlPlaneSchema1764100000001, KeyspaceOrigins1764200000001, RingMembership1764300000001, KeyspaceDeletion1764700000001];
