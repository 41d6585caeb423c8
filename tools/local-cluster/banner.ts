import { relative } from 'node:path';
import { redactUrl, RunningRegion } from '@geokv/test-support';

/** Everything a developer needs to reach the running cluster, printed once it is ready. */
export function printBanner(root: string, regions: readonly RunningRegion[], postgresUrl: string, proxyControlUrl: string): void {
  const lines: string[] = ['', 'geokv local cluster is ready.', `PostgreSQL: ${redactUrl(postgresUrl)}`];
  for (const region of regions) {
    lines.push('', `Region ${region.region} (Redis ${region.redisUrl})`);
    lines.push(`  API:   ${region.gatewayUrl}/v1/kv/{keyspace}/{key}`);
    lines.push(`  Docs:  ${region.gatewayUrl}/docs`);
    for (const app of region.apps()) {
      lines.push(`  ${app.name.padEnd(20)} pid ${String(app.pid).padEnd(7)} ${app.httpUrl}/health/ready  ${app.httpUrl}/metrics`);
      lines.push(`  ${''.padEnd(20)} log ${relative(root, app.logFile)}`);
    }
  }
  lines.push('', `Fault proxy between regions: ${proxyControlUrl}/links (PUT /links/{from}/{to} {"delayMs":50} or {"blackhole":true}; POST /heal)`);
  const [first, second] = regions;
  if (first !== undefined && second !== undefined) {
    lines.push('', `Try: curl -X PUT --data-binary 'hello' ${first.gatewayUrl}/v1/kv/default/greeting && curl ${second.gatewayUrl}/v1/kv/default/greeting`);
    lines.push(`     curl ${first.gatewayUrl}/v1/admin/replication`);
  }
  lines.push('', 'Ctrl-C stops everything this started.');
  console.log(lines.join('\n'));
}
