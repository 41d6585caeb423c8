import { ServerRedis } from '@nestjs/microservices';
import { PlainPatternRedisServer } from './plain-pattern-redis.server';

describe('PlainPatternRedisServer', () => {
  const options = { host: '127.0.0.1', port: 6379 };
  const plain = new (class extends PlainPatternRedisServer {
    route(pattern: string): string {
      return this.getRouteFromPattern(pattern);
    }
  })(options);
  // Nest's routing, for comparison (it is protected there).
  const nest = new (class extends ServerRedis {
    route(pattern: string): string {
      return this.getRouteFromPattern(pattern);
    }
  })(options);

  it.each([
    'storage.n1.readBatch',
    'replication.eu-west.ship',
    'membership.heartbeat',
    '{"cmd":"sum"}',
    '{"b":1,"a":2}',
    '"quoted"',
    'tombstones.gc',
    'null',
    '42',
  ])('routes %j exactly as Nest does', (pattern) => {
    expect(plain.route(pattern)).toBe(nest.route(pattern));
  });

  it('does not try a dotted name as JSON', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      plain.route('storage.n1.readBatch');
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});
