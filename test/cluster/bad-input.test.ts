import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { expectApiError, expectStatus, http, jsonOf, type HttpOptions, type HttpResult } from '../support/http';
import { outboxCounts } from '../support/shard-db';
import { startTestRegion, type TestRegion } from '../support/test-region';

/**
 * Bad input, one kind at a time. Each must get a 4xx with the documented JSON error body, never a 5xx,
 * and must change no stored data: a sentinel key, the request's target key, the keyspace catalog and
 * every shard's outbox (one row per acknowledged write) are compared before and after.
 */
describe('bad input (one region, three storage nodes)', () => {
  let cluster: TestRegion;
  let gw: string;
  const sentinelValue = randomBytes(256);
  const targetValue = Buffer.from('the target value');

  beforeAll(async () => {
    cluster = await startTestRegion({ suite: 'bad-input' });
    gw = cluster.gatewayUrl;
    expectStatus(await http(`${gw}/v1/kv/default/sentinel`, { method: 'PUT', body: sentinelValue, headers: { 'content-type': 'application/octet-stream' } }), 204);
    expectStatus(await http(`${gw}/v1/kv/default/target`, { method: 'PUT', body: targetValue, headers: { 'content-type': 'text/plain' } }), 204);
    expectStatus(await http(`${gw}/v1/keyspaces/guarded`, { method: 'PUT', body: '{"conflictResolution":"siblings","defaultTtlSeconds":3600}' }), 200);
    // A strong keyspace: alone, this region is its own majority of regions.
    expectStatus(await http(`${gw}/v1/keyspaces/ledger`, { method: 'PUT', body: '{"consistency":"strong"}' }), 200);
    expectStatus(await http(`${gw}/v1/kv/ledger/target`, { method: 'PUT', body: 'the strong value' }), 204);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  interface Observation {
    readonly outbox: Record<string, number>;
    readonly sentinel: string;
    readonly target: string;
    readonly strongTarget: string;
    readonly keyspaces: unknown;
  }

  /** What a client (and the replication log) can see of the stored data. */
  async function observe(): Promise<Observation> {
    const describe = (result: HttpResult): string =>
      `${result.status} ${result.headers.get('etag') ?? ''} ${result.headers.get('content-type') ?? ''} ${result.body.toString('hex')}`;
    return {
      outbox: await outboxCounts(cluster.region),
      sentinel: describe(await http(`${gw}/v1/kv/default/sentinel`)),
      target: describe(await http(`${gw}/v1/kv/default/target`)),
      strongTarget: describe(await http(`${gw}/v1/kv/ledger/target`)),
      keyspaces: jsonOf(await http(`${gw}/v1/keyspaces`)),
    };
  }

  /** Sends one bad request; asserts the error contract and that nothing stored changed. */
  async function expectRejected(path: string, options: HttpOptions, status: number, code?: string): Promise<HttpResult> {
    const before = await observe();
    const result = await http(`${gw}${path}`, options);
    expect(result.status).toBeLessThan(500);
    expectApiError(result, status, code);
    expect(result.headers.get('x-served-by-region')).toBe('us-east');
    expect(await observe()).toEqual(before);
    return result;
  }

  // Sanity: the observation really sees a change, so "unchanged" above means something.
  it('notices a real write (control for every "unchanged" check below)', async () => {
    const before = await observe();
    expectStatus(await http(`${gw}/v1/kv/default/control`, { method: 'PUT', body: 'x' }), 204);
    const after = await observe();
    expect(Object.values(after.outbox).reduce((a, b) => a + b, 0)).toBe(Object.values(before.outbox).reduce((a, b) => a + b, 0) + 1);
  }, 30_000);

  describe('keys', () => {
    const writeMethods: [string, HttpOptions][] = [
      ['PUT', { method: 'PUT', body: 'overwrite?' }],
      ['GET', { method: 'GET' }],
      ['DELETE', { method: 'DELETE' }],
    ];

    it.each(writeMethods)('empty key: %s answers 400 INVALID_KEY', async (_name, options) => {
      await expectRejected('/v1/kv/default/', options, 400, 'INVALID_KEY');
    }, 30_000);

    it.each(writeMethods)('key over 1024 bytes: %s answers 400 INVALID_KEY', async (_name, options) => {
      await expectRejected(`/v1/kv/default/${'a'.repeat(1025)}`, options, 400, 'INVALID_KEY');
      // 513 two-byte characters: 513 characters, but 1026 bytes of UTF-8.
      await expectRejected(`/v1/kv/default/${encodeURIComponent('é'.repeat(513))}`, options, 400, 'INVALID_KEY');
      // The same key prefixed onto the target's name must not touch the target either.
      await expectRejected(`/v1/kv/default/target${'b'.repeat(1020)}`, options, 400, 'INVALID_KEY');
    }, 30_000);

    it('a key of exactly 1024 bytes is accepted (the limit is inclusive)', async () => {
      const key = 'k'.repeat(1022) + 'é';
      expect(Buffer.byteLength(key)).toBe(1024);
      expectStatus(await http(`${gw}/v1/kv/default/${encodeURIComponent(key)}`, { method: 'PUT', body: 'at the limit' }), 204);
      expect((await http(`${gw}/v1/kv/default/${encodeURIComponent(key)}`)).body.toString()).toBe('at the limit');
    }, 30_000);

    it.each([
      ['%01 (SOH)', 'a%01b'],
      ['%7F (DEL)', 'a%7Fb'],
      ['%00 (NUL)', 'target%00'],
      ['%0A (line feed)', 'a%0Ab'],
      ['%1F (unit separator)', '%1F'],
      ['%C2%80 (a C1 control)', 'a%C2%80b'],
    ])('control character %s in a key answers 400 INVALID_KEY', async (_name, encoded) => {
      for (const [, options] of writeMethods) {
        await expectRejected(`/v1/kv/default/${encoded}`, options, 400, 'INVALID_KEY');
      }
    }, 30_000);

    it.each([
      ['%FF (not UTF-8)', 'a%FFb'],
      ['%ZZ (not hex)', 'a%ZZb'],
      ['a lone %', 'a%b'],
      ['%ED%A0%80 (a UTF-16 surrogate)', '%ED%A0%80'],
    ])('a key with invalid percent-encoding, %s, answers 400 with the JSON error body', async (_name, encoded) => {
      // Which 400 code (INVALID_KEY or BAD_REQUEST) is the gateway's choice; the documented body is not.
      await expectRejected(`/v1/kv/default/${encoded}`, { method: 'PUT', body: 'x' }, 400);
    }, 30_000);

    it('a key far over the limit (a URL longer than 16 KiB) still gets a 4xx with the JSON error body', async () => {
      const result = await http(`${gw}/v1/kv/default/${encodeURIComponent('é'.repeat(3_000))}`, { method: 'PUT', body: 'x' });
      expect(result.status).toBeGreaterThanOrEqual(400);
      expect(result.status).toBeLessThan(500);
      expectApiError(result, result.status);
    }, 30_000);
  });

  describe('values', () => {
    it('a value over 1 MiB answers 413 VALUE_TOO_LARGE and leaves the key as it was', async () => {
      const refused = await expectRejected('/v1/kv/default/target', { method: 'PUT', body: randomBytes(1_048_577), headers: { 'content-type': 'application/octet-stream' } }, 413, 'VALUE_TOO_LARGE');
      expect(jsonOf(refused)).toMatchObject({ message: 'the value exceeds the limit of 1048576 bytes' });
      await expectRejected('/v1/kv/default/target', { method: 'PUT', body: randomBytes(3 * 1_048_576), headers: { 'content-type': 'application/json' } }, 413, 'VALUE_TOO_LARGE');
    }, 30_000);

    it('a client still sending a value over 1 MiB when it is refused reads the 413, not a broken connection', async () => {
      const before = await observe();
      for (let attempt = 0; attempt < 5; attempt++) {
        const result = await putSlowly(`${gw}/v1/kv/default/target`, 3 * 1_048_576);
        expect(result.status).toBe(413);
        expect(JSON.parse(result.body)).toMatchObject({ error: 'VALUE_TOO_LARGE' });
      }
      expect(await observe()).toEqual(before);
    }, 60_000);

    it('a value of exactly 1 MiB is accepted and read back byte for byte', async () => {
      const value = randomBytes(1_048_576);
      expectStatus(await http(`${gw}/v1/kv/default/one-mebibyte`, { method: 'PUT', body: value }), 204);
      expect((await http(`${gw}/v1/kv/default/one-mebibyte`)).body.equals(value)).toBe(true);
    }, 30_000);
  });

  describe('keyspaces and contexts', () => {
    it.each([
      ['PUT a key', '/v1/kv/no-such-ks/target', { method: 'PUT', body: 'x' }],
      ['GET a key', '/v1/kv/no-such-ks/target', { method: 'GET' }],
      ['DELETE a key', '/v1/kv/no-such-ks/target', { method: 'DELETE' }],
      ['list keys', '/v1/kv/no-such-ks?prefix=t', { method: 'GET' }],
      ['GET its policy', '/v1/keyspaces/no-such-ks', { method: 'GET' }],
    ] as [string, string, HttpOptions][])('unknown keyspace: %s answers 404 KEYSPACE_NOT_FOUND', async (_name, path, options) => {
      await expectRejected(path, options, 404, 'KEYSPACE_NOT_FOUND');
    }, 30_000);

    it.each([
      ['default, which always exists', '/v1/keyspaces/default', 400, 'INVALID_KEYSPACE_POLICY'],
      ['a keyspace that does not exist', '/v1/keyspaces/no-such-ks', 404, 'KEYSPACE_NOT_FOUND'],
      ['a name no keyspace can have', '/v1/keyspaces/No%20Such', 400, 'BAD_REQUEST'],
    ] as [string, string, number, string][])('deleting %s answers %s %s', async (_name, path, status, code) => {
      await expectRejected(path, { method: 'DELETE' }, status, code);
    }, 30_000);

    it.each([
      ['not base64url', 'zzz!'],
      ['truncated', 'AQ'],
      ['unknown format version', 'Ag'],
      ['padded base64', 'AQA='],
      ['empty', ''],
      ['over 8 KiB', 'A'.repeat(9_000)],
      ['trailing bytes', 'AQAA'],
      // Well-formed, but names an actor no node can have, which the transport could not carry as a map key.
      ['actor __proto__', Buffer.from([1, 1, 9, ...Buffer.from('__proto__'), 1]).toString('base64url')],
    ])('malformed context (%s) answers 400 MALFORMED_CONTEXT on PUT and DELETE', async (_name, token) => {
      await expectRejected('/v1/kv/default/target', { method: 'PUT', body: 'with a bad context', headers: { 'x-causal-context': token } }, 400, 'MALFORMED_CONTEXT');
      await expectRejected('/v1/kv/default/target', { method: 'DELETE', headers: { 'x-causal-context': token } }, 400, 'MALFORMED_CONTEXT');
    }, 30_000);
  });

  describe('admin JSON', () => {
    it.each([
      ['truncated object', '{"conflictResolution":'],
      ['not JSON', '{bad'],
      ['null', 'null'],
      ['an array', '[]'],
      ['a string', '"lww"'],
      ['a number', '42'],
    ])('malformed JSON (%s) answers 400 MALFORMED_JSON and creates nothing', async (_name, body) => {
      await expectRejected('/v1/keyspaces/fresh-ks', { method: 'PUT', body, headers: { 'content-type': 'application/json' } }, 400, 'MALFORMED_JSON');
      await expectRejected('/v1/keyspaces/guarded', { method: 'PUT', body, headers: { 'content-type': 'application/json' } }, 400, 'MALFORMED_JSON');
      expectApiError(await http(`${gw}/v1/keyspaces/fresh-ks`), 404, 'KEYSPACE_NOT_FOUND');
    }, 30_000);

    it.each([
      ['conflictResolution "bogus"', 'guarded', { conflictResolution: 'bogus' }],
      ['consistency "weird"', 'guarded', { consistency: 'weird' }],
      ['defaultTtlSeconds 0', 'guarded', { defaultTtlSeconds: 0 }],
      ['defaultTtlSeconds -5', 'guarded', { defaultTtlSeconds: -5 }],
      ['defaultTtlSeconds 1.5', 'guarded', { defaultTtlSeconds: 1.5 }],
      ['defaultTtlSeconds "10"', 'guarded', { defaultTtlSeconds: '10' }],
      ['defaultTtlSeconds over ten years', 'guarded', { defaultTtlSeconds: 315_360_001 }],
      ['replicationFactor 0', 'guarded', { replicationFactor: 0 }],
      ['replicationFactor 8', 'guarded', { replicationFactor: 8 }],
      ['readQuorum above replicationFactor', 'guarded', { replicationFactor: 1, readQuorum: 2 }],
      ['writeQuorum above replicationFactor', 'guarded', { writeQuorum: 4 }],
      ['writeQuorum 0', 'guarded', { writeQuorum: 0 }],
      ['an unknown field', 'guarded', { colour: 'blue' }],
      ['a field named constructor', 'guarded', { constructor: { prototype: { replicationFactor: 1 } } }],
      ['an upper-case name', 'Bad_Name', {}],
      ['a name starting with a dash', '-dash', {}],
      ['a name of 64 characters', 'n'.repeat(64), {}],
    ] as [string, string, Record<string, unknown>][])('invalid policy (%s) answers 400 INVALID_KEYSPACE_POLICY', async (_name, name, body) => {
      await expectRejected(`/v1/keyspaces/${name}`, { method: 'PUT', body: JSON.stringify(body) }, 400, 'INVALID_KEYSPACE_POLICY');
    }, 30_000);

    it('a policy naming __proto__ answers 400 INVALID_KEYSPACE_POLICY, not a keyspace of defaults', async () => {
      const body = '{"__proto__":{"replicationFactor":1}}';
      await expectRejected('/v1/keyspaces/guarded', { method: 'PUT', body, headers: { 'content-type': 'application/json' } }, 400, 'INVALID_KEYSPACE_POLICY');
    }, 30_000);

    it.each([
      ['a strong keyspace with a replication factor', 'ledger2', { consistency: 'strong', replicationFactor: 1 }],
      ['a strong keyspace with a conflict strategy', 'ledger2', { consistency: 'strong', conflictResolution: 'siblings' }],
      ['an eventual keyspace turned strong', 'guarded', { consistency: 'strong' }],
      ['a strong keyspace turned eventual', 'ledger', { consistency: 'eventual' }],
    ] as [string, string, Record<string, unknown>][])('%s answers 400 INVALID_KEYSPACE_POLICY', async (_name, name, body) => {
      await expectRejected(`/v1/keyspaces/${name}`, { method: 'PUT', body: JSON.stringify(body) }, 400, 'INVALID_KEYSPACE_POLICY');
    }, 30_000);

    it('leaves the policy of a keyspace that bad requests tried to change exactly as it was', async () => {
      expect(jsonOf(await http(`${gw}/v1/keyspaces/guarded`))).toEqual({
        name: 'guarded',
        consistency: 'eventual',
        conflictResolution: 'siblings',
        defaultTtlSeconds: 3600,
        replicationFactor: 3,
        readQuorum: 2,
        writeQuorum: 2,
      });
    }, 30_000);
  });

  describe('methods', () => {
    it.each([
      ['PATCH', '/v1/kv/default/target', 'GET, HEAD, PUT, DELETE'],
      ['POST', '/v1/kv/default/target', 'GET, HEAD, PUT, DELETE'],
      ['PUT', '/v1/kv/default', 'GET, HEAD'],
      ['DELETE', '/v1/kv/default', 'GET, HEAD'],
      ['POST', '/v1/keyspaces/guarded', 'GET, HEAD, PUT, DELETE'],
      ['POST', '/v1/keyspaces', 'GET, HEAD'],
      ['POST', '/v1/admin/ring', 'GET, HEAD'],
    ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
      const result = await expectRejected(path, { method, body: method === 'DELETE' ? undefined : 'x' }, 405, 'METHOD_NOT_ALLOWED');
      expect(result.headers.get('allow')).toBe(allow);
    }, 30_000);
  });

  describe('headers', () => {
    it.each(['abc', '0', '-1', '1.5', '1e3', '99999999999', '315360001', ' '])('X-TTL %j answers 400 INVALID_HEADER', async (ttl) => {
      await expectRejected('/v1/kv/default/target', { method: 'PUT', body: 'ttl?', headers: { 'x-ttl': ttl } }, 400, 'INVALID_HEADER');
    }, 30_000);

    it.each([
      ['If-Match without quotes', { 'if-match': 'abc' }],
      ['If-None-Match other than *', { 'if-none-match': '"abc"' }],
      ['Content-Type over 255 characters', { 'content-type': `text/${'x'.repeat(300)}` }],
    ] as [string, Record<string, string>][])('%s answers 400 INVALID_HEADER', async (_name, headers) => {
      await expectRejected('/v1/kv/default/target', { method: 'PUT', body: 'x', headers }, 400, 'INVALID_HEADER');
    }, 30_000);

    it.each([
      ['PUT', 'x-write-quorum', '0'],
      ['PUT', 'x-write-quorum', 'two'],
      ['PUT', 'x-write-quorum', '3'],
      ['DELETE', 'x-write-quorum', '9'],
      ['GET', 'x-read-quorum', '0'],
      ['GET', 'x-read-quorum', '3'],
      ['GET', 'x-read-quorum', '1.5'],
    ])('%s with %s: %j answers 400 INVALID_HEADER (a quorum can only be lowered)', async (method, header, value) => {
      await expectRejected('/v1/kv/default/target', { method, body: method === 'PUT' ? 'x' : undefined, headers: { [header]: value } }, 400, 'INVALID_HEADER');
    }, 30_000);

    it.each([
      ['PUT', 'x-write-quorum', '1'],
      ['DELETE', 'x-write-quorum', '1'],
      ['GET', 'x-read-quorum', '1'],
    ])('%s on a strong keyspace with %s answers 400 INVALID_HEADER (a majority of regions always decides)', async (method, header, value) => {
      await expectRejected('/v1/kv/ledger/target', { method, body: method === 'PUT' ? 'x' : undefined, headers: { [header]: value } }, 400, 'INVALID_HEADER');
    }, 30_000);

    it.each([
      ['If-Match without quotes', { 'if-match': 'abc' }],
      ['If-None-Match other than *', { 'if-none-match': '"abc"' }],
      ['X-TTL of zero', { 'x-ttl': '0' }],
    ] as [string, Record<string, string>][])('%s on a strong keyspace answers 400 INVALID_HEADER', async (_name, headers) => {
      await expectRejected('/v1/kv/ledger/target', { method: 'PUT', body: 'x', headers }, 400, 'INVALID_HEADER');
    }, 30_000);

    it('a failed compare-and-set on a strong keyspace answers 412 and changes nothing', async () => {
      await expectRejected('/v1/kv/ledger/target', { method: 'PUT', body: 'x', headers: { 'if-none-match': '*' } }, 412, 'PRECONDITION_FAILED');
      await expectRejected('/v1/kv/ledger/target', { method: 'DELETE', headers: { 'if-match': '"not-the-etag"' } }, 412, 'PRECONDITION_FAILED');
    }, 30_000);

    it('X-Consistency other than eventual or strong answers 400 INVALID_HEADER', async () => {
      await expectRejected('/v1/kv/default/target', { method: 'GET', headers: { 'x-consistency': 'linearizable' } }, 400, 'INVALID_HEADER');
    }, 30_000);
  });

  describe('node administration', () => {
    it.each([
      ['a join without a body', 'POST', '/v1/admin/nodes', undefined, 400, 'BAD_REQUEST'],
      ['a join with a bad node id', 'POST', '/v1/admin/nodes', '{"nodeId":"N 1"}', 400, 'BAD_REQUEST'],
      ['a join with extra fields', 'POST', '/v1/admin/nodes', '{"nodeId":"n9","force":true}', 400, 'BAD_REQUEST'],
      ['a join of malformed JSON', 'POST', '/v1/admin/nodes', '{"nodeId":', 400, 'MALFORMED_JSON'],
      ['a join of an unknown node', 'POST', '/v1/admin/nodes', '{"nodeId":"n9"}', 404, 'NODE_NOT_FOUND'],
      ['a join of a member', 'POST', '/v1/admin/nodes', '{"nodeId":"n1"}', 409, 'INVALID_NODE_STATE'],
      ['a drain of an unknown node', 'POST', '/v1/admin/nodes/n9/drain', undefined, 404, 'NODE_NOT_FOUND'],
      ['a drain with a bad node id', 'POST', '/v1/admin/nodes/NODE!/drain', undefined, 400, 'BAD_REQUEST'],
      ['a removal of an unknown node', 'DELETE', '/v1/admin/nodes/n9', undefined, 404, 'NODE_NOT_FOUND'],
    ] as [string, string, string, string | undefined, number, string][])('%s answers %s %s and leaves the ring as it was', async (_name, method, path, body, status, code) => {
      const before = jsonOf(await http(`${gw}/v1/admin/ring`)) as { members: string[]; rebalance: unknown };
      await expectRejected(path, { method, body, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, status, code);
      const after = jsonOf(await http(`${gw}/v1/admin/ring`)) as { members: string[]; rebalance: unknown };
      expect(after.members).toEqual(before.members);
      expect(after.rebalance).toBeNull();
    }, 30_000);
  });

  describe('listing', () => {
    it.each(['0', '1001', 'abc', '-1', '1.5', '', '10&limit=20'])('limit=%s answers 400 BAD_REQUEST', async (limit) => {
      await expectRejected(`/v1/kv/default?limit=${limit}`, { method: 'GET' }, 400, 'BAD_REQUEST');
    }, 30_000);

    it.each([
      ['not base64url', '!!'],
      ['empty', ''],
      ['bytes that are not UTF-8', '_w'],
    ])('a cursor this service never issued (%s) answers 400 BAD_REQUEST', async (_name, cursor) => {
      await expectRejected(`/v1/kv/default?cursor=${encodeURIComponent(cursor)}`, { method: 'GET' }, 400, 'BAD_REQUEST');
    }, 30_000);

    it('a cursor that decodes to control characters answers 400, never a 5xx', async () => {
      // "AAAA" is base64url for three NUL bytes: well-formed UTF-8, but no key can contain them.
      await expectRejected('/v1/kv/default?cursor=AAAA', { method: 'GET' }, 400, 'BAD_REQUEST');
    }, 30_000);

    it('a prefix with a control character answers 400 INVALID_KEY', async () => {
      await expectRejected('/v1/kv/default?prefix=a%01', { method: 'GET' }, 400, 'INVALID_KEY');
    }, 30_000);
  });
});

/**
 * A PUT whose body is sent in small pieces, a few milliseconds apart, as a client on a slow link sends it,
 * answered only once the client has sent all of it and read the answer (as fetch does): the gateway refuses
 * it by its Content-Length long before the last piece. Rejects if the connection broke under the client
 * first (EPIPE, ECONNRESET, or closed before the body was out).
 */
function putSlowly(url: string, bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const request = httpRequest(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': bytes } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        if (sent >= bytes) resolve({ status: response.statusCode ?? 0, body });
        else reject(new Error(`answered ${response.statusCode} and closed after ${sent} of ${bytes} bytes were sent`));
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    const piece = Buffer.alloc(32 * 1024, 1);
    const sendNext = (): void => {
      if (request.destroyed) return;
      sent += piece.length;
      if (sent >= bytes) request.end(piece);
      else {
        request.write(piece);
        setTimeout(sendNext, 2);
      }
    };
    sendNext();
  });
}
