// A child of the supervisor exits when the supervisor is gone (kill -9 leaves no one to send
// SIGTERM): otherwise an orphan would keep the ports and the next start would fail.
export function exitWhenParentDies(onParentGone: () => void, intervalMs = 1000): void {
  if (!process.env.FLEETBOOT_SUPERVISED) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onParentGone();
    }
  }, intervalMs);
  timer.unref();
}
