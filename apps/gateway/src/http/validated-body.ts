import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';

/**
 * Field names class-transformer never copies onto an instance (its defence against prototype pollution),
 * so that the whitelist check below would never see them: a body naming one was taken as if it did not.
 */
const NEVER_COPIED = ['__proto__', 'constructor'];

/**
 * A JSON object body as an instance of `bodyClass`, validated by its decorators, with every field the
 * class does not declare refused; otherwise a 400 with `code` that names every problem.
 */
export function validatedBody<T extends object>(bodyClass: new () => T, json: object, code: ErrorCode): T {
  const problems = Object.keys(json)
    .filter((field) => NEVER_COPIED.includes(field))
    .map((field) => `property ${field} should not exist`);
  const input = plainToInstance(bodyClass, json);
  for (const problem of validateSync(input, { whitelist: true, forbidNonWhitelisted: true })) problems.push(...Object.values(problem.constraints ?? {}));
  if (problems.length > 0) throw new ApiError(code, problems.join('; '));
  return input;
}
