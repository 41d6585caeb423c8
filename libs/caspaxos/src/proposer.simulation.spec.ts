import fc from 'fast-check';
import { checkHistory, type HistoryOperation, type RegisterInput, type RegisterOutput } from '@geokv/linearizability';
import { accept, prepare, type AcceptorState } from './acceptor';
import { BallotSource, type Ballot } from './ballot';
import type { Change } from './change';
import { combineChanges, outcomePerOperation } from './combined-change';
import { absentState, collectRow, emptyForCollection, type CollectionOutcome } from './garbage-collection';
import type { BallotHold, HeldBallot } from './held-ballot';
import { KeyedBatches } from './keyed-batches';
import { propose, type AcceptorLinks, type Operation, type ProposalOutcome, type ProposerEnvironment } from './proposer';

/**
 * Several proposers against three in-memory acceptors over a simulated network that delays, reorders
 * and drops messages, on a virtual clock. Every history the proposers produce must be linearizable:
 * this is the proposer and acceptor logic tested exactly as it runs in the gateway, minus the sockets.
 * With a collector, the acceptors also drop the register's rows whenever it is empty, as the replicator's
 * garbage collection has them do, and old messages keep arriving after the drop.
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
/** How old the collector wants the register's newest value: longer than an operation's deadline (500), as in production. */
const COLLECTION_GRACE = 600;

/** One acceptor's row for the key (null once collected) and its floor. */
interface SimulatedAcceptor {
  row: AcceptorState<string> | null;
  floor: Ballot | null;
}

/** How a simulated network treats each message. */
interface Faults {
  /** The share of messages lost. */
  readonly dropRate: number;
  /** The share of requests held up for 40-240 virtual ms: they arrive after their sender gave up on them. */
  readonly straggleRate: number;
}

/**
 * A request and its reply each take 1-10 virtual ms, unless the request straggles; either may be lost, and
 * the sender then times out.
 */
function exchange<R>(network: SimulatedNetwork, faults: Faults, handle: () => R): Promise<R> {
  return new Promise((resolve, reject) => {
    const lost = () => network.random() < faults.dropRate;
    network.at(TIMEOUT, () => reject(new Error('timeout')));
    if (lost()) return;
    const straggles = network.random() < faults.straggleRate;
    network.at(straggles ? TIMEOUT + network.random() * 200 : 1 + network.random() * 9, () => {
      const reply = handle();
      if (!lost()) network.at(1 + network.random() * 9, () => resolve(reply));
    });
  });
}

/** Messages sent over simulated links, by phase. */
interface SentCounts {
  prepares: number;
  accepts: number;
}

function simulatedLinks(network: SimulatedNetwork, acceptors: SimulatedAcceptor[], faults: Faults, sent: SentCounts = { prepares: 0, accepts: 0 }): AcceptorLinks<string> {
  const stateOf = (acceptor: SimulatedAcceptor): AcceptorState<string> => acceptor.row ?? absentState(acceptor.floor);
  return {
    count: acceptors.length,
    prepare: (i, ballot) =>
      exchange(network, faults, () => {
        sent.prepares += 1;
        const { state, reply } = prepare(stateOf(acceptors[i]), ballot);
        acceptors[i].row = state;
        return reply;
      }),
    accept: (i, ballot, value, promiseNext) =>
      exchange(network, faults, () => {
        sent.accepts += 1;
        const { state, reply } = accept(stateOf(acceptors[i]), ballot, value, promiseNext);
        acceptors[i].row = state;
        return reply;
      }),
  };
}

/**
 * Empties and drops the register whenever it has been empty for COLLECTION_GRACE, looking every few virtual
 * ms until `done()`: a collection round, then a drop request to every acceptor over the same lossy network
 * (a lost one leaves the row). Resolves with how many rows were dropped.
 */
async function collector(network: SimulatedNetwork, acceptors: SimulatedAcceptor[], links: AcceptorLinks<string>, faults: Faults, done: () => boolean): Promise<number> {
  const ballots = new BallotSource('gc');
  let dropped = 0;
  let conflict: Ballot | null = null;
  while (!done()) {
    await new Promise<void>((resolve) => network.at(5 + network.random() * 20, resolve));
    const outcome: CollectionOutcome = await emptyForCollection(links, ballots.next(network.now, conflict), (value) => value === null, network.now - COLLECTION_GRACE);
    if (outcome.kind === 'kept' && outcome.reason === 'refused') conflict = outcome.conflict;
    if (outcome.kind !== 'emptied') continue;
    for (const acceptor of acceptors) {
      void exchange(network, faults, () => {
        const before = acceptor.row;
        Object.assign(acceptor, collectRow(acceptor.row, acceptor.floor, outcome.ballot));
        if (before !== null && acceptor.row === null) dropped += 1;
      }).catch(() => undefined);
    }
  }
  return dropped;
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
  /** Rows the collector had the acceptors drop. */
  readonly dropped: number;
  /** Prepares and accepts the acceptors received. */
  readonly sent: SentCounts;
}

interface SimulationOptions {
  /** Whether a collector drops the register's rows whenever it is empty. */
  readonly collect?: boolean;
  /** Of the writes, the share that are deletes. */
  readonly deletes?: number;
  /** Each client pauses up to this long before each operation, leaving the collector quiet spells. */
  readonly pauseMs?: number;
  /** The share of requests that arrive long after their sender gave up (see Faults). */
  readonly straggleRate?: number;
  /** Whether each proposer holds the ballot its acceptors promised it for its next operation (HeldBallot). */
  readonly hold?: boolean;
  /**
   * Ballot counters that ignore the clock, so that proposers' counters stay close and their ballots
   * interleave: (5, p1) falls between (5, p0) and (6, p0), which is where a held ballot's promise matters.
   */
  readonly clocklessBallots?: boolean;
  /** Clients per proposer whose operations on the key are batched (KeyedBatches, combineChanges); absent: one client, no batching. */
  readonly batchedClients?: number;
}

/** Below the most clients that can wait at once (three of four), so that some wait for a second batch. */
const SIMULATED_BATCH_MAX = 2;

/** Counters from what the source issued and was told only, never from the clock. */
class ClocklessBallots extends BallotSource {
  override next(_nowMs: number, floor: Ballot | null = null): Ballot {
    return super.next(0, floor);
  }
}

/** A proposer's hold of the simulation's one key. */
function heldSlot(): BallotHold<string> {
  let held: HeldBallot<string> | null = null;
  return {
    take: () => {
      const taken = held;
      held = null;
      return taken;
    },
    keep: (next) => (held = next),
    refused: () => undefined,
  };
}

async function simulate(seed: number, proposers: number, opsEach: number, dropRate: number, options: SimulationOptions = {}): Promise<Simulation> {
  const failures: ProposalOutcome<RegisterOutput>[] = [];
  const network = new SimulatedNetwork(prng(seed));
  const acceptors: SimulatedAcceptor[] = Array.from({ length: 3 }, () => ({ row: null, floor: null }));
  const faults: Faults = { dropRate, straggleRate: options.straggleRate ?? 0 };
  const sent: SentCounts = { prepares: 0, accepts: 0 };
  const links = simulatedLinks(network, acceptors, faults, sent);
  const env: ProposerEnvironment = {
    nowMs: () => network.now,
    random: network.random,
    sleep: (ms) => new Promise((resolve) => network.at(ms, () => resolve())),
  };
  const history: HistoryOperation[] = [];
  const clientLoop = async (clientId: string, run: (operation: Operation<string, RegisterOutput>) => Promise<ProposalOutcome<RegisterOutput>>): Promise<void> => {
    let lastSeen: string | null = null;
    for (let n = 0; n < opsEach; n++) {
      if (options.pauseMs) await env.sleep(network.random() * options.pauseMs);
      const dice = network.random();
      const value = network.random() < (options.deletes ?? 0) ? null : `${clientId}-${n}`;
      const input: RegisterInput = dice < 0.4 ? { kind: 'read' } : dice < 0.7 ? { kind: 'write', value } : { kind: 'cas', expected: lastSeen, value };
      const call = network.now;
      // Values are unique per write, so a value equal to this write's is its own; an empty register says nothing.
      const recognise = (current: string | null): 'own' | 'unknown' => (input.kind !== 'read' && current !== null && current === input.value ? 'own' : 'unknown');
      const outcome = await run({ change: changeOf(input), recognise });
      if (outcome.kind === 'done') {
        history.push({ key: 'k', clientId, input, call, return: network.now, output: outcome.result });
        if (outcome.result.kind === 'read') lastSeen = outcome.result.value;
      } else {
        failures.push(outcome);
        if (outcome.mayHaveApplied && input.kind !== 'read') history.push({ key: 'k', clientId, input, call });
      }
    }
  };
  const clients = Array.from({ length: proposers }, async (_, p) => {
    const ballots = options.clocklessBallots ? new ClocklessBallots(`p${p}`) : new BallotSource(`p${p}`);
    const hold = options.hold ? heldSlot() : null;
    const run = <R>(operation: Operation<string, R>): Promise<ProposalOutcome<R>> =>
      propose(links, operation, ballots, env, { deadlineMs: 500, backoffBaseMs: 2, backoffCapMs: 40 }, undefined, hold);
    if (options.batchedClients === undefined) return clientLoop(`p${p}`, run);
    // Several clients of one proposer, whose operations wait for the key's running batch and then run together.
    const batches = new KeyedBatches<Operation<string, RegisterOutput>, ProposalOutcome<RegisterOutput>>(async (_key, members) => {
      const outcome = await run({
        change: combineChanges(members.map((member) => member.change)),
        recognise: (value, writes) => (members.some((member) => member.recognise?.(value, writes) === 'own') ? 'own' : 'unknown'),
      });
      return outcomePerOperation(outcome, members.length);
    }, SIMULATED_BATCH_MAX);
    await Promise.all(Array.from({ length: options.batchedClients }, (_, c) => clientLoop(`p${p}c${c}`, (operation) => batches.submit('k', operation))));
  });
  let finished = 0;
  clients.forEach((client) => void client.then(() => (finished += 1)));
  const dropped = options.collect ? collector(network, acceptors, links, faults, () => finished === proposers) : Promise.resolve(0);
  await network.run(200_000);
  await Promise.all(clients);
  return { history, failures, dropped: await dropped, sent };
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

  // A late message that a dropped row without a floor would take mostly belongs to an operation whose outcome
  // was unknown, which a history may apply at any later time; garbage-collection.spec.ts shows the floor's case.
  it('stays linearizable while a collector drops the rows of the empty register and old messages still arrive', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 4 }), fc.constantFrom(0, 0.05, 0.2), async (seed, proposers, dropRate) => {
        const { history } = await simulate(seed, proposers, 25, dropRate, { collect: true, deletes: 0.5, pauseMs: [0, 60, 1_500][seed % 3], straggleRate: 0.1 });
        const verdict = checkHistory(history);
        if (verdict.linearizable !== true) throw new Error(JSON.stringify(verdict).slice(0, 2_000));
      }),
      { numRuns: 150 },
    );
  }, 90_000);

  it('stays linearizable with proposers that hold ballots and skip the prepare, with or without a collector', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0, 0.05, 0.2),
        fc.boolean(),
        fc.boolean(),
        async (seed, proposers, dropRate, collect, clocklessBallots) => {
          // The collector tells a value's age by its ballot's counter, which clockless ballots would not give.
          const options: SimulationOptions = collect
            ? { hold: true, collect, deletes: 0.5, pauseMs: [0, 60, 1_500][seed % 3], straggleRate: 0.1 }
            : { hold: true, clocklessBallots, straggleRate: 0.05 };
          const { history } = await simulate(seed, proposers, 25, dropRate, options);
          const verdict = checkHistory(history);
          if (verdict.linearizable !== true) throw new Error(JSON.stringify(verdict).slice(0, 2_000));
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);

  it('stays linearizable when each proposer runs the operations of several clients in batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 4 }),
        fc.constantFrom(0, 0.05, 0.2),
        fc.boolean(),
        fc.boolean(),
        async (seed, proposers, batchedClients, dropRate, hold, collect) => {
          const options: SimulationOptions = collect
            ? { batchedClients, hold, collect, deletes: 0.5, pauseMs: [0, 60, 1_500][seed % 3], straggleRate: 0.1 }
            : { batchedClients, hold, straggleRate: 0.05 };
          const { history } = await simulate(seed, proposers, 12, dropRate, options);
          const verdict = checkHistory(history);
          if (verdict.linearizable !== true) throw new Error(JSON.stringify(verdict).slice(0, 2_000));
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('a lone proposer with four clients runs their operations in batches: fewer rounds than operations, none duelling', async () => {
    const run = await simulate(5, 1, 30, 0, { batchedClients: 4, hold: true });
    expect(run.failures).toEqual([]);
    expect(run.history).toHaveLength(120);
    expect(checkHistory(run.history).linearizable).toBe(true);
    // Each client sends its next operation as soon as the last is answered, so after the first every batch is full (two).
    expect(run.sent.accepts / 3).toBeLessThanOrEqual(120 / 2 + 1);
    expect(run.sent.prepares / 3).toBeLessThanOrEqual(2);
    // Unbatched, the four clients are four proposers of one key, and they spend rounds outbidding each other.
    const duelling = await simulate(5, 4, 30, 0, { hold: true });
    expect((duelling.sent.prepares + duelling.sent.accepts) / 3).toBeGreaterThan(3 * ((run.sent.prepares + run.sent.accepts) / 3));
  }, 30_000);

  it('a lone proposer that holds its ballots prepares until its first accept, then takes one round trip per operation', async () => {
    const run = await simulate(11, 1, 40, 0, { hold: true });
    expect(run.failures).toEqual([]);
    expect(run.history).toHaveLength(40);
    // A read of a settled value needs no accept, so only the first write gets the proposer a held ballot.
    const prepared = run.history.findIndex((op) => op.input.kind !== 'read') + 1;
    expect(prepared).toBeGreaterThan(0);
    expect(run.sent).toEqual({ prepares: 3 * prepared, accepts: 3 * (40 - prepared + 1) });
    const without = await simulate(11, 1, 40, 0);
    expect(without.sent.prepares).toBe(3 * 40);
  }, 30_000);

  it('drops rows while operations go on (so the property above is not vacuous)', async () => {
    let dropped = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const run = await simulate(seed, 2, 40, 0.05, { collect: true, deletes: 0.5, pauseMs: 1_500, straggleRate: 0.1 });
      expect(checkHistory(run.history).linearizable).toBe(true);
      expect(run.history.filter((op) => op.input.kind !== 'read' && op.output !== undefined).length).toBeGreaterThan(15);
      dropped += run.dropped;
    }
    expect(dropped).toBeGreaterThanOrEqual(10);
  }, 30_000);

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
