/**
 * Cleanup steps run last-in-first-out, each at most once, continuing past a failing step so that one
 * stuck process does not leave the others running. Failures are collected and thrown together at the end.
 */
export class Teardown {
  private readonly steps: { name: string; run: () => unknown }[] = [];

  /** Registers a step; it runs before every step added earlier. */
  add(name: string, run: () => unknown): void {
    this.steps.push({ name, run });
  }

  /** Runs (and forgets) every registered step; throws an AggregateError naming the steps that failed. */
  async run(): Promise<void> {
    const failures: Error[] = [];
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        await step.run();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        failures.push(new Error(`cleanup "${step.name}" failed: ${reason}`, { cause: error }));
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, failures.map((failure) => failure.message).join('\n'));
  }
}
