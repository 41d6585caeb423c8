import { execFile } from 'node:child_process';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a short-lived command to completion. A non-zero exit throws an error that carries the command line
 * and its output, because "pg_ctl failed" alone tells nobody what to fix.
 */
export function runCommand(command: string, args: readonly string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ stdout, stderr });
        return;
      }
      const output = `${stdout}${stderr}`.trim();
      reject(new Error(`${[command, ...args].join(' ')} failed: ${error.message}${output ? `\n${output}` : ''}`));
    });
  });
}

/** Exit code of a command that is expected to fail sometimes (a status probe), without throwing. */
export function probeCommand(command: string, args: readonly string[], timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs }, (error) => {
      resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1);
    });
  });
}
