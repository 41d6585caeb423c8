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

/** A block of 100 ports per region keeps every app's port readable at a glance. */
export const REGIONS: readonly RegionLayout[] = [
  { region: 'us-east', gatewayPort: 8080, basePort: 7000, redisPort: 6380, storageNodes: 3 },
  { region: 'eu-west', gatewayPort: 8081, basePort: 7100, redisPort: 6381, storageNodes: 3 },
  { region: 'ap-south', gatewayPort: 8082, basePort: 7200, redisPort: 6382, storageNodes: 3 },
];

/** The fault proxy's control API (delay, cut or reset the links between regions). */
export const PROXY_CONTROL_PORT = 7900;

/** Our own PostgreSQL when DATABASE_URL is not given; 5433 so it never clashes with a system server on 5432. */
export const OWN_POSTGRES_PORT = 5433;

/** Relative to the repo root; ignored by git. */
export const DATA_DIR = '.data';

/** Databases are `geokv_us_east_n1`, …: a stable prefix, so a restart finds its data again. */
export const DATABASE_PREFIX = 'geokv';
