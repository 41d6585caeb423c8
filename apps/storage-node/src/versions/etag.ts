import type { Dot } from '@geokv/vector-clock';

/** An opaque, quote-free entity tag naming one version by its dot. */
export function etagOf(dot: Dot): string {
  return Buffer.from(`${dot.actor}\n${dot.counter}`, 'utf8').toString('base64url');
}
