import { ConfigError, loadConfig } from '@geokv/config';
import { GatewayConfig } from '../gateway.config';
import { accessNeeded } from './access-needed';
import { ApiKeys, keysOf } from './api-keys';

const DATA_KEY = 'data-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';

describe('ApiKeys', () => {
  const keys = new ApiKeys([DATA_KEY], [ADMIN_KEY]);

  it('knows each key by its role, from a Bearer header', () => {
    expect(keys.roleOf(`Bearer ${DATA_KEY}`)).toBe('data');
    expect(keys.roleOf(`bearer ${ADMIN_KEY}`)).toBe('admin');
  });

  it('knows no key that is missing, unknown, a prefix of a key, or sent another way', () => {
    for (const header of [undefined, '', 'Bearer', `Bearer ${DATA_KEY}x`, `Bearer ${DATA_KEY.slice(0, -1)}`, `Basic ${DATA_KEY}`, DATA_KEY, `Bearer ${DATA_KEY} ${ADMIN_KEY}`]) {
      expect({ header, role: keys.roleOf(header) }).toEqual({ header, role: null });
    }
  });

  it('gives a key listed in both lists the admin role, and reads empty lists as no keys', () => {
    expect(new ApiKeys([ADMIN_KEY], [ADMIN_KEY]).roleOf(`Bearer ${ADMIN_KEY}`)).toBe('admin');
    expect(new ApiKeys(keysOf(''), keysOf('')).roleOf(`Bearer ${DATA_KEY}`)).toBeNull();
    expect(keysOf(`${DATA_KEY},${ADMIN_KEY}`)).toEqual([DATA_KEY, ADMIN_KEY]);
  });
});

describe('accessNeeded', () => {
  it('asks the admin role for the admin API and for defining or deleting keyspaces, any key for the rest of /v1', () => {
    expect(accessNeeded('GET', '/v1/admin/ring')).toBe('admin');
    expect(accessNeeded('POST', '/v1/admin/conflicts')).toBe('admin');
    expect(accessNeeded('PUT', '/v1/keyspaces/:name')).toBe('admin');
    expect(accessNeeded('DELETE', '/v1/keyspaces/:name')).toBe('admin');
    expect(accessNeeded('GET', '/v1/keyspaces/:name')).toBe('data');
    expect(accessNeeded('GET', '/v1/keyspaces')).toBe('data');
    expect(accessNeeded('PUT', '/v1/kv/:keyspace/*')).toBe('data');
    expect(accessNeeded('GET', '/health/ready')).toBe('none');
    expect(accessNeeded('GET', '/metrics')).toBe('none');
  });
});

describe('GEOKV_API_KEYS and GEOKV_ADMIN_API_KEYS', () => {
  it('take comma-separated keys, and refuse a bad list without quoting any key', () => {
    expect(loadConfig(GatewayConfig, { GEOKV_API_KEYS: `${DATA_KEY},another-key-0123456789`, GEOKV_ADMIN_API_KEYS: ADMIN_KEY })).toMatchObject({
      GEOKV_API_KEYS: `${DATA_KEY},another-key-0123456789`,
    });
    const secretButShort = 'hunter2';
    let message = '';
    try {
      loadConfig(GatewayConfig, { GEOKV_API_KEYS: `${DATA_KEY},${secretButShort}`, GEOKV_ADMIN_API_KEYS: 'with space 0123456789abcdef' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as ConfigError).message;
    }
    expect(message).toContain('GEOKV_API_KEYS');
    expect(message).toContain('GEOKV_ADMIN_API_KEYS');
    expect(message).toContain('1 are not');
    for (const secret of [DATA_KEY, secretButShort, 'with space']) expect(message).not.toContain(secret);
  });
});
