import { relative } from 'node:path';
import { redactUrl, RunningRegion } from '@geokv/test-support';

/** Everything a developer needs to reach the running cluster, printed once it is ready. */
export function printBanner(root: string, regions: readonly RunningRegion[], postgresUrl: string): void {
  const lines: string[] = ['', 'geokv local cluster is ready.', `PostgreSQL: ${redactUrl(postgresUrl)}`];
  for (const region of regions) {
    lines.push('', `Region ${region.region} (Redis ${region.redisUrl})`);
    lines.push(`  API:   ${region.gatewayUrl}/v1/kv/{keyspace}/{key}`);
    lines.push(`  Docs:  ${region.gatewayUrl}/docs`);
    for (const app of region.apps()) {
      lines.push(`  ${app.name.padEnd(18)} pid ${String(app.pid).padEnd(7)} ${app.httpUrl}/health/ready  ${app.httpUrl}/metrics`);
      lines.push(`  ${''.padEnd(18)} log ${relative(root, app.logFile)}`);
    }
  }
  const first = regions[0];
  if (first !== undefined) {
    const key = `${first.gatewayUrl}/v1/kv/default/greeting`;
    lines.push('', `Try: curl -X PUT --data-binary 'hello' ${key} && curl ${key}`);
  }
  lines.push('', 'Ctrl-C stops everything this started.');
  console.log(lines.join('\n'));
}
