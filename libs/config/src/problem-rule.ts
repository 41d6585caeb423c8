import { ValidateBy } from 'class-validator';

/**
 * A config rule made from a function that says what is wrong with a value, or null when nothing is; what
 * it says is the validation message, so the function decides what a message may show of the value.
 */
export function problemRule(name: string, problemOf: (value: string) => string | null): () => PropertyDecorator {
  return () =>
    ValidateBy({
      name,
      validator: {
        validate: (value) => typeof value === 'string' && problemOf(value) === null,
        defaultMessage: (args) => (typeof args?.value === 'string' ? problemOf(args.value) : null) ?? 'must be a string',
      },
    });
}
