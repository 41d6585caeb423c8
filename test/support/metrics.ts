import { http } from './http';

/** A counter summed over every series of it (every label set) that these apps (their base URLs) expose. */
export function counterTotal(appUrls: readonly string[], metric: string): Promise<number> {
  return sumOfSeries(appUrls, new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'));
}

/** A counter's series that carry `label="value"`, among whatever other labels, summed over these apps. */
export function counterWithLabel(appUrls: readonly string[], metric: string, label: string, value: string): Promise<number> {
  return sumOfSeries(appUrls, new RegExp(`^${metric}\\{(?:[^}]*,)?${label}="${value}"(?:,[^}]*)?\\} (\\d+)$`, 'gm'));
}

/** The sum of the samples `series` (global, multiline, the value its first group) matches on these apps' /metrics. */
async function sumOfSeries(appUrls: readonly string[], series: RegExp): Promise<number> {
  const pages = await Promise.all(appUrls.map(async (url) => (await http(`${url}/metrics`)).body.toString('utf8')));
  return pages.flatMap((page) => [...page.matchAll(series)]).reduce((sum, sample) => sum + Number(sample[1]), 0);
}
