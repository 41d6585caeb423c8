import { benchValue, readBenchConfig, VALUE_BYTES } from './bench-config';

describe('bench config', () => {
  it('defaults to 10 s, 3 rounds and 50 connections, and takes the env knobs', () => {
    expect(readBenchConfig({})).toEqual({
      seconds: 10,
      rounds: 3,
      connections: 50,
      parts: ['throughput', 'replication', 'join', 'strong'],
      replication: { rate: 1_000, seconds: 60, partitionSeconds: 30, delayMs: 50, replicas: [3, 1], storageNodes: 3 },
      join: { keys: 100_000, timeoutSeconds: 600 },
      strong: { seconds: 8, connections: 50, delayMs: 50 },
    });
    expect(readBenchConfig({ BENCH_SECONDS: '3', BENCH_ROUNDS: '1', BENCH_CONNECTIONS: '8', BENCH_PARTS: 'replication', BENCH_REPLICATION_SECONDS: '5' })).toMatchObject({
      seconds: 3,
      rounds: 1,
      connections: 8,
      parts: ['replication'],
      replication: { seconds: 5 },
    });
    expect(readBenchConfig({ BENCH_REPLICATION_REPLICAS: '1' })).toMatchObject({ replication: { replicas: [1] } });
    expect(readBenchConfig({ BENCH_REPLICATION_REPLICAS: '1', BENCH_REPLICATION_NODES: '1' })).toMatchObject({ replication: { replicas: [1], storageNodes: 1 } });
    expect(readBenchConfig({ BENCH_PARTS: 'join, throughput', BENCH_JOIN_KEYS: '5000', BENCH_JOIN_TIMEOUT_SECONDS: '90' })).toMatchObject({
      parts: ['join', 'throughput'],
      join: { keys: 5_000, timeoutSeconds: 90 },
    });
    expect(readBenchConfig({ BENCH_PARTS: 'strong', BENCH_STRONG_SECONDS: '4', BENCH_STRONG_CONNECTIONS: '16', BENCH_LINK_DELAY_MS: '20' })).toMatchObject({
      parts: ['strong'],
      replication: { delayMs: 20 },
      strong: { seconds: 4, connections: 16, delayMs: 20 },
    });
  });

  it('names the variable it cannot use', () => {
    expect(() => readBenchConfig({ BENCH_SECONDS: 'ten' })).toThrow('BENCH_SECONDS must be a positive integer, got "ten"');
    expect(() => readBenchConfig({ BENCH_CONNECTIONS: '0' })).toThrow('BENCH_CONNECTIONS');
    expect(() => readBenchConfig({ BENCH_ROUNDS: '0' })).toThrow('BENCH_ROUNDS');
    expect(() => readBenchConfig({ BENCH_PARTS: 'throughput,latency' })).toThrow('BENCH_PARTS takes throughput, replication, join, strong');
    expect(() => readBenchConfig({ BENCH_JOIN_KEYS: '-1' })).toThrow('BENCH_JOIN_KEYS');
    expect(() => readBenchConfig({ BENCH_JOIN_TIMEOUT_SECONDS: '1.5' })).toThrow('BENCH_JOIN_TIMEOUT_SECONDS');
    expect(() => readBenchConfig({ BENCH_STRONG_CONNECTIONS: '0' })).toThrow('BENCH_STRONG_CONNECTIONS');
    expect(() => readBenchConfig({ BENCH_REPLICATION_REPLICAS: '3,2' })).toThrow('BENCH_REPLICATION_REPLICAS takes 3 and/or 1');
    // The N=3 keyspace (one of the defaults) needs three nodes per region.
    expect(() => readBenchConfig({ BENCH_REPLICATION_NODES: '1' })).toThrow('BENCH_REPLICATION_NODES must be at least 3');
  });

  it('stores 100-byte values that differ per key', () => {
    expect(Buffer.byteLength(benchValue(99_999))).toBe(VALUE_BYTES);
    expect(benchValue(1)).not.toBe(benchValue(2));
  });
});
