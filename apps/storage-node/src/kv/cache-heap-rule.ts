import { getHeapStatistics } from 'node:v8';
import { ValidateBy } from 'class-validator';

/**
 * The share of the JS heap the L1 cache may fill. The rest is the node itself (about 40 MB live at rest,
 * 70 MB under the bench's load with a full 32 MiB cache) and the room the collector needs between
 * collections. A cache sized past the heap would run the node out of heap under load, long after boot.
 */
const CACHE_HEAP_SHARE = 0.25;

/** GEOKV_CACHE_MAX_BYTES: at most a quarter of this process's heap limit (`--max-old-space-size`). */
export function cacheFitsHeapRule(heapLimitBytes: number = getHeapStatistics().heap_size_limit): PropertyDecorator {
  const maxBytes = Math.floor(heapLimitBytes * CACHE_HEAP_SHARE);
  return ValidateBy({
    name: 'cacheFitsHeap',
    validator: {
      validate: (value) => typeof value === 'number' && value <= maxBytes,
      defaultMessage: () =>
        `must be at most a quarter of this process's JS heap limit of ${Math.round(heapLimitBytes / 1_048_576)} MB, ${maxBytes} bytes; give the node a larger heap (node --max-old-space-size) to cache more`,
    },
  });
}
