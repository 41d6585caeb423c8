// class-transformer reads the design types that TypeScript emits as decorator metadata.
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { withoutCredentials } from './url-rules';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type ConfigClass<T> = new () => T;

/**
 * Reads the environment into one typed, frozen object, validated once at boot.
 *
 * Config classes name their properties after the environment variables themselves, so that every
 * validation message names the variable an operator has to fix. Defaults are the classes' field
 * initialisers. Throws ConfigError listing every bad variable, never the first one only.
 */
export function loadConfig<T extends object>(
  configClass: ConfigClass<T>,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<T> {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const config = plainToInstance(configClass, defined, {
    excludeExtraneousValues: true,
    exposeDefaultValues: true,
    enableImplicitConversion: true,
  });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigError(errors.map((error) => describe(error, env)));
  }
  return Object.freeze(config);
}

/** Variables whose values are secrets as a whole (API keys): a refusal says how long the value is, no more. */
const SECRET_VARIABLE = /_KEYS$|PASSWORD|SECRET|TOKEN/;

function describe(error: ValidationError, env: NodeJS.ProcessEnv): string {
  const raw = env[error.property];
  // A connection URL may carry a password, which must not reach a log.
  const got =
    raw === undefined
      ? 'it is not set'
      : SECRET_VARIABLE.test(error.property)
        ? `got ${raw.length} characters, not shown`
        : `got ${JSON.stringify(withoutCredentials(raw))}`;
  const rules = Object.values(error.constraints ?? {}).join('; ');
  return `${error.property}: ${rules} (${got})`;
}
