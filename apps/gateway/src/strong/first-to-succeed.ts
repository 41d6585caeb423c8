/** The values of the first `needed` attempts to succeed, or null once too many have failed for that. */
export function firstToSucceed<T>(attempts: readonly Promise<T>[], needed: number): Promise<T[] | null> {
  return new Promise((resolve) => {
    const values: T[] = [];
    let failed = 0;
    for (const attempt of attempts) {
      attempt.then(
        (value) => {
          values.push(value);
          if (values.length === needed) resolve(values);
        },
        () => {
          failed += 1;
          if (failed === attempts.length - needed + 1) resolve(null);
        },
      );
    }
  });
}
