/**
 * Children we spawn run in their own process group (so a terminal's Ctrl-C reaches only the launcher,
 * which then stops them in order). The price is that they would outlive a launcher that dies without
 * cleaning up, so on exit we SIGKILL, by PID, every child that is still registered.
 */
const live = new Set<number>();
let installed = false;

export function guardChild(pid: number): void {
  live.add(pid);
  if (!installed) {
    installed = true;
    process.on('exit', killAll);
  }
}

export function releaseChild(pid: number): void {
  live.delete(pid);
}

function killAll(): void {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone (ESRCH): exactly what we wanted; nothing else can be done inside an exit handler.
    }
  }
  live.clear();
}
