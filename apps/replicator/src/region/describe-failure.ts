/** A failure as one line for logs and the status view; RPC error bodies keep their code. */
export function describeFailure(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
    if (name === 'TimeoutError') return 'timed out';
    if (typeof code === 'string' && typeof message === 'string') return `${code}: ${message}`;
    if (typeof message === 'string') return message;
  }
  return String(error);
}
