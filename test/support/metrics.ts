import { http } from './http';

/** A counter summed over every series of it (every label set) that these apps (their base URLs) expose. */
export async function counterTotal(appUrls: readonly string[], metric: string): Promise<number> {
  const pages = await Promise.all(appUrls.map(async (url) => (await http(`${url}/metrics`)).body.toString('utf8')));
  const series = new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\d+)$`, 'gm');
  return pages.flatMap((page) => [...page.matchAll(series)]).reduce((sum, sample) => sum + Number(sample[1]), 0);
}
