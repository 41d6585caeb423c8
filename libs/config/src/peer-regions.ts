import { Matches } from 'class-validator';

/** `eu-west=redis://host:port,ap-south=redis://host:port`; empty for a region with no peers. */
const PEERS_FORMAT = /^$|^[a-z][a-z0-9-]{0,31}=rediss?:\/\/[^,\s]+(,[a-z][a-z0-9-]{0,31}=rediss?:\/\/[^,\s]+)*$/;

/** Validates GEOKV_PEERS: region=redis-url pairs separated by commas. */
export const peersRule = (): PropertyDecorator =>
  Matches(PEERS_FORMAT, { message: 'must be region=redis://host:port pairs separated by commas (e.g. eu-west=redis://10.0.1.5:6379)' });

/** GEOKV_PEERS as a map from region to Redis URL. */
export function parsePeers(peers: string): Map<string, string> {
  if (peers === '') return new Map();
  return new Map(
    peers.split(',').map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)] as const;
    }),
  );
}
