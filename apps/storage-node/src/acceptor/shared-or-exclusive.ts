/**
 * A readers-writer gate for promises: any number of shared runs at once, or one exclusive run alone. An
 * exclusive run waits for the shared runs already going, and shared runs that arrive meanwhile wait for it,
 * so it is never starved. The acceptor's statements run shared and garbage collection's drop exclusive:
 * a statement decides whether a key has a row from its snapshot, which a drop committing beside it would
 * leave stale (see acceptor-statements.ts).
 */
export class SharedOrExclusive {
  private running = 0;
  private exclusiveTurn: Promise<void> | null = null;
  private readonly waitingForIdle: (() => void)[] = [];

  async shared<T>(run: () => Promise<T>): Promise<T> {
    while (this.exclusiveTurn !== null) await this.exclusiveTurn;
    this.running += 1;
    try {
      return await run();
    } finally {
      this.running -= 1;
      if (this.running === 0) for (const wake of this.waitingForIdle.splice(0)) wake();
    }
  }

  async exclusive<T>(run: () => Promise<T>): Promise<T> {
    while (this.exclusiveTurn !== null) await this.exclusiveTurn;
    let release!: () => void;
    this.exclusiveTurn = new Promise<void>((resolve) => (release = resolve));
    try {
      while (this.running > 0) await new Promise<void>((resolve) => this.waitingForIdle.push(resolve));
      return await run();
    } finally {
      this.exclusiveTurn = null;
      release();
    }
  }
}
