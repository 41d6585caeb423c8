/**
 * Values a node sends other replicas at once when it hands keys over (handoff, replica top-up, hinted
 * handoff): what a replica takes within its deadline as one or two coalesced messages. Sent all at once,
 * a page of 500 hinted keys of 1 MiB was 500 MiB queued for one replica; most of it missed the deadline,
 * so the hints stayed, and the next round loaded and sent it all again.
 */
export const SEND_BYTES_IN_FLIGHT = 4 * 1_048_576;
