import fc from 'fast-check';
import { checkHistory, type HistoryOperation, type RegisterInput, type RegisterOutput } from '@geokv/linearizability';
import { accept, EMPTY_ACCEPTOR, prepare, type AcceptorState } from './acceptor';
import { BallotSource } from './ballot';
import type { Change } from './change';
import { propose, type AcceptorLinks, type ProposalOutcome, type ProposerEnvironment } from './proposer';

/**
 * Several proposers against three in-memory acceptors over a simulated network that delays, reorders
 * and drops messages, on a virtual clock. Every history the proposers produce must be linearizable:
 * this is the proposer and acceptor logic tested exactly as it runs in the gateway, minus the sockets.
 */

/** A tiny deterministic PRNG, so that a failing seed replays exactly. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

class SimulatedNetwork {
  now = 0;
  private readonly events: { at: number; seq: number; run: () => void }[] = [];
  private seq = 0;

  constructor(readonly random: () => number) {}

  at(delay: number, run: () => void): void {
    this.events.push({ at: this.now + delay, seq: this.seq++, run });
  }

  /** Runs events in time order, letting promise chains settle after each, until none is left. */
  async run(maxEvents: number): Promise<void> {
    for (let i = 0; i < maxEvents; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.events.length === 0) return;
      this.events.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.events.shift()!;
      this.now = Math.max(this.now, next.at);
      next.run();
    }
    throw new Error('simulation did not finish');
  }
}

const TIMEOUT = 40;

function simulatedLinks(network: SimulatedNetwork, acceptors: AcceptorState<string>[], dropRate: number): AcceptorLinks<string> {
  /** A request and its reply each take 1-10 virtual ms; either may be lost, and the sender then times out. */
  const exchange = <R>(handle: () => R): Promise<R> =>
    new Promise((resolve, reject) => {
      const lost = () => network.random() < dropRate;
      network.at(TIMEOUT, () => reject(new Error('timeout')));
      if (lost()) return;
      network.at(1 + network.random() * 9, () => {
        const reply = handle();
        if (!lost()) network.at(1 + network.random() * 9, () => resolve(reply));
      });
    });
  return {
    count: acceptors.length,
    prepare: (i, ballot) =>
      exchange(() => {
        const { state, reply } = prepare(acceptors[i], ballot);
        acceptors[i] = state;
        return reply;
      }),
    accept: (i, ballot, value) =>
      exchange(() => {
        const { state, reply } = accept(acceptors[i], ballot, value);
        acceptors[i] = state;
        return reply;
      }),
  };
}

/** The register operation of the checker's model, as a change function. */
function changeOf(input: RegisterInput): Change<string, RegisterOutput> {
  switch (input.kind) {
    case 'read':
      return (current) => ({ next: current, result: { kind: 'read', value: current } });
    case 'write':
      return () => ({ next: input.value, result: { kind: 'write' } });
    case 'cas':
      return (current) => (current === input.expected ? { next: input.value, result: { kind: 'cas', ok: true } } : { next: current, result: { kind: 'cas', ok: false } });
  }
}

interface Simulation {
  readonly history: HistoryOperation[];
  readonly failures: ProposalOutcome<RegisterOutput>[];
}

async function simulate(seed: number, proposers: number, opsEach: number, dropRate: number): Promise<Simulation> {
  const failures: ProposalOutcome<RegisterOutput>[] = [];
  const network = new SimulatedNetwork(prng(seed));
  const acceptors: AcceptorState<string>[] = [EMPTY_ACCEPTOR, EMPTY_ACCEPTOR, EMPTY_ACCEPTOR];
  const links = simulatedLinks(network, acceptors, dropRate);
  const env: ProposerEnvironment = {
    nowMs: () => network.now,
    random: network.random,
    sleep: (ms) => new Promise((resolve) => network.at(ms, () => resolve())),
  };
  const history: HistoryOperation[] = [];
  const clients = Array.from({ length: proposers }, async (_, p) => {
    const ballots = new BallotSource(`p${p}`);
    let lastSeen: string | null = null;
    for (let n = 0; n < opsEach; n++) {
      const dice = network.random();
      const value = `p${p}-${n}`;
      const input: RegisterInput = dice < 0.4 ? { kind: 'read' } : dice < 0.7 ? { kind: 'write', value } : { kind: 'cas', expected: lastSeen, value };
      const call = network.now;
      const outcome: ProposalOutcome<RegisterOutput> = await propose(links, { change: changeOf(input), recognise: (value) => (input.kind !== 'read' && value === input.value ? 'own' : 'unknown') }, ballots, env, { deadlineMs: 500, backoffBaseMs: 2, backoffCapMs: 40 });
      if (outcome.kind === 'done') {
        history.push({ key: 'k', clientId: `p${p}`, input, call, return: network.now, output: outcome.result });
        if (outcome.result.kind === 'read') lastSeen = outcome.result.value;
      } else {
        failures.push(outcome);
        if (outcome.mayHaveApplied && input.kind !== 'read') history.push({ key: 'k', clientId: `p${p}`, input, call });
      }
    }
  });
  await network.run(200_000);
  await Promise.all(clients);
  return { history, failures };
}

describe('CASPaxos proposer (simulated network)', () => {
  it('produces linearizable histories under delay, reordering and message loss', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 4 }), fc.constantFrom(0, 0.05, 0.2), async (seed, proposers, dropRate) => {
        const { history } = await simulate(seed, proposers, 25, dropRate);
        expect(history.length).toBeGreaterThan(0);
        const verdict = checkHistory(history);
        if (verdict.linearizable !== true) throw new Error(JSON.stringify(verdict).slice(0, 2_000));
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it('completes every operation of a lone proposer; with message loss it fails only for want of a quorum', async () => {
    const clean = await simulate(7, 1, 40, 0);
    expect(clean.failures).toEqual([]);
    expect(clean.history).toHaveLength(40);
    const lossy = await simulate(7, 1, 40, 0.1);
    expect(lossy.failures.length).toBeLessThan(20);
    expect(lossy.failures.every((failure) => failure.kind === 'failed' && failure.reason === 'no-quorum')).toBe(true);
  }, 30_000);

  it('under contention with no loss, fails only by being outbid, never for want of a quorum', async () => {
    const { history, failures } = await simulate(42, 3, 20, 0);
    expect(failures.every((failure) => failure.kind === 'failed' && failure.reason === 'contended')).toBe(true);
    expect(history.filter((op) => op.output !== undefined).length).toBeGreaterThanOrEqual(30);
  }, 30_000);
});
