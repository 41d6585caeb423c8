import { randomUUID } from 'node:crypto';

/**
 * This replicator process, as its peers know it: new at every start. A shipment published while the
 * receiving replicator was down, or that it held when it died, is never answered; the senders see the
 * incarnation change in the next answer and ship again at once instead of at their deadline.
 */
export const REPLICATOR_INCARNATION = randomUUID();
