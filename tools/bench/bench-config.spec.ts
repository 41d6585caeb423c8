import { benchValue, readBenchConfig, VALUE_BYTES } from './bench-config';

describe('bench config', () => {
  it('defaults to 10 s and 50 connections, and takes the env knobs', () => {
    expect(readBenchConfig({})).toEqual({ seconds: 10, connections: 50 });
    expect(readBenchConfig({ BENCH_SECONDS: '3', BENCH_CONNECTIONS: '8' })).toEqual({ seconds: 3, connections: 8 });
  });

  it('names the variable it cannot use', () => {
    expect(() => readBenchConfig({ BENCH_SECONDS: 'ten' })).toThrow('BENCH_SECONDS must be a positive integer, got "ten"');
    expect(() => readBenchConfig({ BENCH_CONNECTIONS: '0' })).toThrow('BENCH_CONNECTIONS');
  });

  it('stores 100-byte values that differ per key', () => {
    expect(Buffer.byteLength(benchValue(99_999))).toBe(VALUE_BYTES);
    expect(benchValue(1)).not.toBe(benchValue(2));
  });
});
