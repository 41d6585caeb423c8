import { ValidateBy } from 'class-validator';
import { redisUrlProblem } from './url-rules';

/** `eu-west=redis://host:port,ap-south=redis://host:port`; empty for a region with no peers. */
const PEERS_FORMAT = /^$|^[a-z][a-z0-9-]{0,31}=rediss?:\/\/[^,\s]+(,[a-z][a-z0-9-]{0,31}=rediss?:\/\/[^,\s]+)*$/;

const PEERS_MESSAGE =
  'must be region=redis://host:port pairs separated by commas (e.g. eu-west=redis://10.0.1.5:6379), each a valid Redis URL, ' +
  'each region named once and none of them this region (GEOKV_REGION)';

/**
 * Validates GEOKV_PEERS: region=redis-url pairs separated by commas, each URL one the apps can connect
 * with, no region twice (a second URL would silently replace the first) and not this region itself.
 */
export const peersRule = (): PropertyDecorator =>
  ValidateBy({
    name: 'isPeerList',
    validator: {
      validate: (value, args) => {
        if (value === '') return true;
        if (typeof value !== 'string' || !PEERS_FORMAT.test(value)) return false;
        const pairs = value.split(',').map(splitPair);
        const regions = new Set(pairs.map(([region]) => region));
        const ownRegion = (args?.object as { GEOKV_REGION?: unknown } | undefined)?.GEOKV_REGION;
        return regions.size === pairs.length && !regions.has(ownRegion as string) && pairs.every(([, url]) => redisUrlProblem(url) === null);
      },
      defaultMessage: () => PEERS_MESSAGE,
    },
  });

/** GEOKV_PEERS as a map from region to Redis URL. */
export function parsePeers(peers: string): Map<string, string> {
  if (peers === '') return new Map();
  return new Map(peers.split(',').map(splitPair));
}

function splitPair(pair: string): readonly [string, string] {
  const at = pair.indexOf('=');
  return [pair.slice(0, at), pair.slice(at + 1)] as const;
}
