import { runReindexBatch, type IndexResource } from './reindex-jobs';
import type { SqlExecutor } from './sql-executor';

/**
 * Runs pending reindex jobs in the background of one server process: when kicked (after a
 * SearchParameter write) and every `intervalMs`, so jobs left by a stopped process are
 * finished by another. Batches are claimed with SKIP LOCKED, so processes share the work.
 */
export class ReindexWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private kickedWhileRunning = false;
  private stopped = false;

  constructor(
    private readonly db: SqlExecutor,
    private readonly indexResource: IndexResource,
    /** Brings the search parameters up to date before each batch (they may have just changed). */
    private readonly refresh: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = 10_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
  }

  kick(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.kickedWhileRunning = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Runs batches until no job is pending, or until `deadline` (epoch ms) for a bounded wait. */
  async runUntilIdle(deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    while (!this.stopped && Date.now() < deadline) {
      await this.refresh();
      if (!(await runReindexBatch(this.db, this.indexResource))) {
        return true;
      }
    }
    return false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    do {
      this.kickedWhileRunning = false;
      try {
        await this.runUntilIdle();
      } catch (error) {
        this.onError(error);
        return;
      }
    } while (this.kickedWhileRunning && !this.stopped);
  }
}
