import { readFileSync } from 'node:fs';
import { expectApiError, expectStatus, http, jsonOf } from '../support/http';
import { explainWithLogs, startTestRegion, type TestRegion } from '../support/test-region';

const DATA_KEY = 'data-key-7f3a9c1e5b2d4f6a';
const ADMIN_KEY = 'admin-key-2c8e4a6f0b1d3e5f';

/**
 * A region whose gateway has API keys, as a client sees it: /v1 needs `Authorization: Bearer <key>`, a
 * data key may not use the admin API or define keyspaces, a refused request changes nothing, health and
 * metrics stay open for probes and scrapers, and no key ever reaches a log.
 */
describe('API keys (one region, real processes)', () => {
  let cluster: TestRegion;
  let gw: string;
  const as = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    cluster = await startTestRegion({ suite: 'authentication', appEnv: { gateway: { GEOKV_API_KEYS: DATA_KEY, GEOKV_ADMIN_API_KEYS: ADMIN_KEY } } });
    gw = cluster.gatewayUrl;
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('refuses /v1 without a known key with 401 and a challenge, and the refused write stores nothing', async () => {
    await explainWithLogs(cluster.region.apps(), async () => {
      const url = `${gw}/v1/kv/default/guarded`;
      for (const headers of [{}, as('not-a-key-0123456789abcdef'), { authorization: `Basic ${DATA_KEY}` }, { authorization: DATA_KEY }]) {
        const refused = await http(url, { method: 'PUT', body: 'intruder', headers });
        expectApiError(refused, 401, 'UNAUTHENTICATED');
        expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="geokv"');
      }
      expectApiError(await http(`${gw}/v1/kv/default/guarded`), 401, 'UNAUTHENTICATED');
      expectApiError(await http(`${gw}/v1/keyspaces`), 401, 'UNAUTHENTICATED');
      expectStatus(await http(url, { headers: as(DATA_KEY) }), 404);
    });
  }, 30_000);

  it('serves the key-value API to a data key, and the admin API only to an admin key', async () => {
    await explainWithLogs(cluster.region.apps(), async () => {
      const url = `${gw}/v1/kv/default/allowed`;
      expectStatus(await http(url, { method: 'PUT', body: 'stored', headers: as(DATA_KEY) }), 204);
      const read = await http(url, { headers: as(DATA_KEY) });
      expectStatus(read, 200);
      expect(read.body.toString('utf8')).toBe('stored');
      expectStatus(await http(url, { headers: as(ADMIN_KEY) }), 200);

      expectApiError(await http(`${gw}/v1/admin/ring`, { headers: as(DATA_KEY) }), 403, 'FORBIDDEN');
      // A percent-encoded path reaches the admin route all the same, and is judged as it.
      expectApiError(await http(`${gw}/v1/%61dmin/ring`, { headers: as(DATA_KEY) }), 403, 'FORBIDDEN');
      expectApiError(await http(`${gw}/v1/admin/conflicts`, { method: 'POST', body: '{}', headers: as(DATA_KEY) }), 403, 'FORBIDDEN');
      const policy = { method: 'PUT', body: '{"conflictResolution":"siblings"}', headers: { ...as(DATA_KEY), 'content-type': 'application/json' } };
      expectApiError(await http(`${gw}/v1/keyspaces/by-data-key`, policy), 403, 'FORBIDDEN');
      expectStatus(await http(`${gw}/v1/keyspaces/by-data-key`, { headers: as(DATA_KEY) }), 404);

      expectStatus(await http(`${gw}/v1/admin/ring`, { headers: as(ADMIN_KEY) }), 200);
      expectStatus(await http(`${gw}/v1/keyspaces/by-admin-key`, { ...policy, headers: { ...policy.headers, ...as(ADMIN_KEY) } }), 200);
      const listed = jsonOf(await http(`${gw}/v1/keyspaces`, { headers: as(DATA_KEY) })) as { keyspaces: { name: string }[] };
      expect(listed.keyspaces.map((keyspace) => keyspace.name)).toContain('by-admin-key');
      // Deleting a keyspace is the admin's too.
      expectApiError(await http(`${gw}/v1/keyspaces/by-admin-key`, { method: 'DELETE', headers: as(DATA_KEY) }), 403, 'FORBIDDEN');
      expectStatus(await http(`${gw}/v1/keyspaces/by-admin-key`, { headers: as(DATA_KEY) }), 200);
      expectStatus(await http(`${gw}/v1/keyspaces/by-admin-key`, { method: 'DELETE', headers: as(ADMIN_KEY) }), 204);
      expectStatus(await http(`${gw}/v1/keyspaces/by-admin-key`, { headers: as(DATA_KEY) }), 404);
    });
  }, 30_000);

  it('keeps health, metrics and the API documentation open, and writes no key to any log', async () => {
    expectStatus(await http(`${gw}/health/ready`), 200);
    expectStatus(await http(`${gw}/health/live`), 200);
    expectStatus(await http(`${gw}/metrics`), 200);
    const document = jsonOf(await http(`${gw}/docs/json`)) as { components: { securitySchemes: Record<string, unknown> }; security: unknown[] };
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ apiKey: [] }, {}]);
    for (const app of cluster.region.apps()) {
      const log = readFileSync(app.logFile, 'utf8');
      expect({ app: app.logFile, data: log.includes(DATA_KEY), admin: log.includes(ADMIN_KEY) }).toEqual({ app: app.logFile, data: false, admin: false });
    }
  }, 30_000);
});
