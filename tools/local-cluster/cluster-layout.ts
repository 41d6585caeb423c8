/** Fixed ports, so the URLs `npm start` prints stay the same from run to run. */
export interface RegionLayout {
  region: string;
  gatewayPort: number;
  /** Membership listens here; storage node i on basePort + i. */
  basePort: number;
  /** The region's own redis-server, when REDIS_URL is not given. */
  redisPort: number;
  storageNodes: number;
}

/**
 * One region today. The next ones slot in as `eu-west` (8081, 7100, 6381) and `ap-south` (8082, 7200, 6382):
 * a block of 100 ports per region keeps every app's port readable at a glance.
 */
export const REGIONS: readonly RegionLayout[] = [
  { region: 'us-east', gatewayPort: 8080, basePort: 7000, redisPort: 6380, storageNodes: 3 },
];

/** Our own PostgreSQL when DATABASE_URL is not given; 5433 so it never clashes with a system server on 5432. */
export const OWN_POSTGRES_PORT = 5433;

/** Relative to the repo root; ignored by git. */
export const DATA_DIR = '.data';

/** `geokv_us_east`: the stable prefix of a region's databases, so a restart finds its data again. */
export function databasePrefix(region: string): string {
  return `geokv_${region.replace(/-/g, '_')}`;
}
