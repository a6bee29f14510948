const pending = new Set<() => Promise<void>>();

/**
 * Registers cleanup work (stop the server, drop the throwaway database) that must also happen
 * when the run is interrupted with Ctrl-C. Returns a function that runs it now, once.
 */
export function cleanupOnInterrupt(work: () => Promise<void>): () => Promise<void> {
  let done = false;
  const once = async (): Promise<void> => {
    if (!done) {
      done = true;
      pending.delete(once);
      await work();
    }
  };
  pending.add(once);
  return once;
}

export function installInterruptHandler(): void {
  const handler = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: cleaning up...\n`);
    void Promise.allSettled([...pending].map((work) => work())).then(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
