import { Expose } from 'class-transformer';
import { IsInt } from 'class-validator';
import { ConfigError, loadConfig } from '@geokv/config';
import { cacheFitsHeapRule } from './cache-heap-rule';

const MB = 1_048_576;

class CacheConfig {
  @Expose()
  @IsInt()
  @cacheFitsHeapRule(512 * MB)
  GEOKV_CACHE_MAX_BYTES: number = 32 * MB;
}

describe('cacheFitsHeapRule', () => {
  it('accepts a cache of up to a quarter of the heap limit', () => {
    expect(loadConfig(CacheConfig, {}).GEOKV_CACHE_MAX_BYTES).toBe(32 * MB);
    expect(loadConfig(CacheConfig, { GEOKV_CACHE_MAX_BYTES: String(128 * MB) }).GEOKV_CACHE_MAX_BYTES).toBe(128 * MB);
  });

  it('refuses a larger cache, naming the variable, the heap limit and the way out', () => {
    expect(() => loadConfig(CacheConfig, { GEOKV_CACHE_MAX_BYTES: String(128 * MB + 1) })).toThrow(ConfigError);
    expect(() => loadConfig(CacheConfig, { GEOKV_CACHE_MAX_BYTES: String(128 * MB + 1) })).toThrow(
      /GEOKV_CACHE_MAX_BYTES: must be at most a quarter of this process's JS heap limit of 512 MB, 134217728 bytes; .*--max-old-space-size/,
    );
  });
});
