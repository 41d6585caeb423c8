/** The first `needed` successes, or every failure once too many have failed for that many to succeed. */
export type FirstSuccesses<T> = { readonly values: T[] } | { readonly errors: unknown[] };

/**
 * Waits for the first `needed` of `attempts` to succeed (a majority of regions, say), without waiting for
 * the rest, or stops as soon as too many have failed; a late failure after enough successes is ignored.
 */
export function firstToSucceed<T>(attempts: readonly Promise<T>[], needed: number): Promise<FirstSuccesses<T>> {
  if (needed <= 0) return Promise.resolve({ values: [] });
  return new Promise((resolve) => {
    const values: T[] = [];
    const errors: unknown[] = [];
    for (const attempt of attempts) {
      attempt.then(
        (value) => {
          values.push(value);
          if (values.length === needed) resolve({ values });
        },
        (error: unknown) => {
          errors.push(error);
          if (errors.length === attempts.length - needed + 1) resolve({ errors });
        },
      );
    }
  });
}
