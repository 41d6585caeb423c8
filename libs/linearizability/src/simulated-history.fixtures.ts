import fc from 'fast-check';
import type { HistoryOperation, RegisterInput, RegisterOutput, RegisterValue } from './history';

/**
 * Histories produced by a sequentially consistent register, hence linearizable by construction: each
 * client issues operations one after another; each operation takes effect at one instant inside its
 * interval (its linearization point) and the register applies them in the order of those instants.
 * Indeterminate operations either took effect at their point but the answer was lost, or never took
 * effect; either way the client moves on when its interval ends (as after a timeout).
 */
export interface PlannedOp {
  readonly client: number;
  readonly key: number;
  readonly kind: 'read' | 'write' | 'delete' | 'cas';
  /** What a CAS expects, decided when it takes effect: the current value, another value, or absence. */
  readonly casExpect: 'current' | 'other' | 'absent';
  /** Idle time before the call. */
  readonly think: number;
  /** Call → linearization point. */
  readonly before: number;
  /** Linearization point → return. */
  readonly after: number;
  readonly fate: 'answered' | 'lost' | 'applied-unanswered';
}

/** The history of running `plan` (output in plan order); written values are unique: `k<key>:v<index>`. */
export function simulate(plan: readonly PlannedOp[], initial: RegisterValue = null): HistoryOperation[] {
  const clientFree = new Map<number, number>();
  const timed = plan.map((op, index) => {
    const call = (clientFree.get(op.client) ?? 0) + op.think;
    const point = call + op.before;
    const ret = point + op.after;
    clientFree.set(op.client, ret);
    return { op, index, call, point, ret };
  });
  const state = new Map<number, RegisterValue>();
  const previous = new Map<number, RegisterValue>();
  const results: { input: RegisterInput; output: RegisterOutput }[] = [];
  // Map.get(...) ?? initial would turn a deleted (null) value back into the initial one.
  const valueOf = (map: Map<number, RegisterValue>, key: number): RegisterValue => (map.has(key) ? map.get(key)! : initial);
  const setValue = (key: number, value: RegisterValue): void => {
    previous.set(key, valueOf(state, key));
    state.set(key, value);
  };
  const applied = [...timed].filter((t) => t.op.fate !== 'lost').sort((a, b) => a.point - b.point || a.index - b.index);
  const lostOnes = timed.filter((t) => t.op.fate === 'lost');
  for (const { op, index } of [...applied, ...lostOnes]) {
    const current = valueOf(state, op.key);
    const written = `k${op.key}:v${index}`;
    const apply = op.fate !== 'lost';
    if (op.kind === 'read') {
      results[index] = { input: { kind: 'read' }, output: { kind: 'read', value: current } };
    } else if (op.kind === 'write' || op.kind === 'delete') {
      const value = op.kind === 'write' ? written : null;
      if (apply) setValue(op.key, value);
      results[index] = { input: { kind: 'write', value }, output: { kind: 'write' } };
    } else {
      const prior = valueOf(previous, op.key);
      const expected =
        op.casExpect === 'current' ? current : op.casExpect === 'absent' ? null : prior !== current ? prior : 'never-current';
      const ok = current === expected;
      if (apply && ok) setValue(op.key, written);
      results[index] = { input: { kind: 'cas', expected, value: written }, output: { kind: 'cas', ok } };
    }
  }
  return timed.map(({ op, index, call, ret }) => {
    const { input, output } = results[index];
    const base = { key: `k${op.key}`, clientId: `c${op.client}`, input, call };
    return op.fate === 'answered' ? { ...base, return: ret, output } : base;
  });
}

/** fast-check plans over `clients` clients and `keys` keys, with ~10% indeterminate operations. */
export function planArbitrary(clients: number, keys: number, maxLength: number): fc.Arbitrary<PlannedOp[]> {
  const op: fc.Arbitrary<PlannedOp> = fc.record({
    client: fc.integer({ min: 0, max: clients - 1 }),
    key: fc.integer({ min: 0, max: keys - 1 }),
    kind: fc.constantFrom('read', 'write', 'delete', 'cas'),
    casExpect: fc.constantFrom('current', 'other', 'absent'),
    think: fc.integer({ min: 0, max: 3 }),
    before: fc.integer({ min: 0, max: 4 }),
    after: fc.integer({ min: 0, max: 4 }),
    fate: fc.oneof(
      { weight: 18, arbitrary: fc.constant('answered' as const) },
      { weight: 1, arbitrary: fc.constant('lost' as const) },
      { weight: 1, arbitrary: fc.constant('applied-unanswered' as const) },
    ),
  });
  return fc.array(op, { maxLength });
}

/** A deterministic PRNG (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A large plan for load tests: reads 45%, writes 25%, deletes 5%, CAS 25% (half expecting the current
 * value); `indeterminateRate` of the writes, deletes and CAS lose their answer, half of those after
 * taking effect. Times are in ms with sub-ms jitter, like performance.now().
 */
export function randomPlan(
  random: () => number,
  options: { operations: number; clients: number; keys: number; indeterminateRate: number },
): PlannedOp[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  return Array.from({ length: options.operations }, (): PlannedOp => {
    const roll = random();
    const kind = roll < 0.45 ? 'read' : roll < 0.7 ? 'write' : roll < 0.75 ? 'delete' : 'cas';
    const unanswered = kind !== 'read' && random() < options.indeterminateRate;
    return {
      client: Math.floor(random() * options.clients),
      key: Math.floor(random() * options.keys),
      kind,
      casExpect: pick(['current', 'current', 'other', 'absent'] as const),
      think: random() * 2,
      before: random() * 4,
      after: random() * 4,
      fate: unanswered ? (random() < 0.5 ? 'lost' : 'applied-unanswered') : 'answered',
    };
  });
}
