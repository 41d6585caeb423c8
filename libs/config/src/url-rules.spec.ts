import { Expose } from 'class-transformer';
import { IsString } from 'class-validator';
import { ConfigError, loadConfig } from './load-config';
import { peersRule } from './peer-regions';
import { redisOptionsFromUrl } from './redis-options';
import { postgresUrlRule, redisUrlProblem, redisUrlRule, withoutCredentials } from './url-rules';

class UrlConfig {
  @Expose()
  @IsString()
  GEOKV_REGION = 'us-east';

  @Expose()
  @redisUrlRule()
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Expose()
  @postgresUrlRule()
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/geokv';

  @Expose()
  @peersRule()
  GEOKV_PEERS = '';
}

/** The ConfigError message loadConfig throws for `env`, or null when it accepts it. */
function refusal(env: Record<string, string>): string | null {
  try {
    loadConfig(UrlConfig, env);
    return null;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message;
  }
}

describe('connection URL rules', () => {
  it.each([
    'redis://127.0.0.1:6379',
    'redis://localhost',
    'rediss://:p%40ss@cache.internal:6380/2',
    'redis://user:pw@[::1]:6379/0',
  ])('accepts the Redis URL %s, which redisOptionsFromUrl reads', (url) => {
    expect(redisUrlProblem(url)).toBeNull();
    expect(redisOptionsFromUrl(url).host).toMatch(/^(127\.0\.0\.1|localhost|cache\.internal|::1)$/);
  });

  it('connects to an IPv6 literal without its URL brackets', () => {
    expect(redisOptionsFromUrl('redis://[::1]:6380/3')).toMatchObject({ host: '::1', port: 6380, db: 3 });
  });

  it.each([
    ['a port beyond 65535', 'redis://127.0.0.1:99999'],
    ['no host', 'redis://:6379'],
    ['a path that is not a database number', 'redis://127.0.0.1:6379/cache'],
    ['another scheme', 'http://127.0.0.1:6379'],
    ['a space in the host', 'redis://bad host:6379'],
    ['no URL at all', 'localhost:6379'],
  ])('refuses a Redis URL with %s, naming REDIS_URL', (_why, url) => {
    expect(refusal({ REDIS_URL: url })).toMatch(/^\s*- REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/m);
  });

  it('accepts PostgreSQL URLs pg reads, a socket directory given in the query included, and refuses a bad port', () => {
    expect(refusal({ DATABASE_URL: 'postgresql://u:pw@db.internal:5433/shard_1?sslmode=require' })).toBeNull();
    expect(refusal({ DATABASE_URL: 'postgres:///shard_1?host=/var/run/postgresql' })).toBeNull();
    expect(refusal({ DATABASE_URL: 'postgres://u@127.0.0.1:70000/shard_1' })).toMatch(/- DATABASE_URL: must be a postgres:\/\//);
    expect(refusal({ DATABASE_URL: 'mysql://root@localhost/db' })).toMatch(/- DATABASE_URL: /);
  });

  it('refuses a peer list with a bad URL, a region named twice, or this region itself', () => {
    expect(refusal({ GEOKV_PEERS: 'eu-west=redis://10.0.1.5:6379,ap-south=rediss://:pw@10.0.2.5:6380' })).toBeNull();
    for (const peers of ['eu-west=redis://10.0.1.5:99999', 'eu-west=redis://a:1,eu-west=redis://b:1', 'us-east=redis://a:1', 'eu-west=10.0.1.5:6379']) {
      expect(refusal({ GEOKV_PEERS: peers })).toMatch(/- GEOKV_PEERS: must be region=redis:\/\/host:port pairs/);
    }
  });
});

describe('a refused value in the error message', () => {
  it('never shows a password, in any of the URL variables', () => {
    const message = refusal({
      REDIS_URL: 'redis://:s3cret-redis@127.0.0.1:99999',
      DATABASE_URL: 'postgres://app:s3cret-pg@127.0.0.1:99999/db',
      GEOKV_PEERS: 'eu-west=redis://:s3cret-peer1@h1:1,eu-west=rediss://u:s3cret-peer2@h2:2',
    })!;
    expect(message).toMatch(/REDIS_URL: .*got "redis:\/\/\*\*\*@127\.0\.0\.1:99999"/);
    expect(message).toMatch(/DATABASE_URL: .*got "postgres:\/\/\*\*\*@127\.0\.0\.1:99999\/db"/);
    expect(message).toContain('GEOKV_PEERS');
    expect(message).not.toMatch(/s3cret/);
  });

  it.each([
    ['a user and password', 'redis://u:pw@h:1/0', 'redis://***@h:1/0'],
    ['a password holding / and @', 'redis://:p/a@ss@h:1', 'redis://***@h:1'],
    ['a password holding a space', 'redis://:p w@h:1', 'redis://***@h:1'],
    ['a password in the query', 'postgres://h/db?sslmode=require&password=pw', 'postgres://h/db?sslmode=require&password=***'],
    ['no credentials', 'redis://127.0.0.1:99999', 'redis://127.0.0.1:99999'],
    ['something that is not a URL', 'abc', 'abc'],
  ])('hides %s', (_what, value, shown) => {
    expect(withoutCredentials(value)).toBe(shown);
  });
});
