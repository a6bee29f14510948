import fs from 'node:fs';
import { Client } from 'pg';

/** CPU time used during one measured run, in milliseconds, split by who used it. */
export interface CpuUse {
  /** The server process and its workers. */
  readonly serverMs: number;
  /** PostgreSQL backends of the benchmark database plus PostgreSQL's shared background processes (WAL writer, ...). */
  readonly postgresMs: number;
  /** This process: the load generator (and the baseline's pg client). */
  readonly benchMs: number;
  /** Everything else on the machine (other users' jobs): noise in the figures. */
  readonly otherMs: number;
  readonly elapsedMs: number;
}

const TICK_MS = 10; // CLK_TCK = 100 on Linux

interface Snapshot {
  readonly at: number;
  readonly server: Map<number, number>;
  readonly postgres: Map<number, number>;
  readonly benchMs: number;
  readonly machineBusyMs: number;
}

/**
 * Reads CPU time from /proc (Linux) before and after a measured run. On a shared 2-core machine
 * throughput depends on what else runs; CPU time per request does not, and shows which process
 * a workload is limited by.
 */
export class CpuMeter {
  private constructor(
    private readonly serverPid: number,
    private readonly databaseUrl: string,
  ) {}

  static create(serverPid: number, databaseUrl: string): CpuMeter | undefined {
    return fs.existsSync('/proc/stat') && serverPid > 0 ? new CpuMeter(serverPid, databaseUrl) : undefined;
  }

  async start(): Promise<() => Promise<CpuUse>> {
    const before = await this.snapshot();
    return async () => {
      const after = await this.snapshot();
      const serverMs = delta(before.server, after.server);
      const postgresMs = delta(before.postgres, after.postgres);
      const benchMs = after.benchMs - before.benchMs;
      const busyMs = after.machineBusyMs - before.machineBusyMs;
      return {
        serverMs,
        postgresMs,
        benchMs,
        otherMs: Math.max(0, busyMs - serverMs - postgresMs - benchMs),
        elapsedMs: after.at - before.at,
      };
    };
  }

  private async snapshot(): Promise<Snapshot> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    let pgPids: number[];
    try {
      const result = await client.query<{ pid: number }>(
        // Shared background processes (WAL writer, checkpointer, ...) count; processes working for
        // another database (its client backends, autovacuum and parallel workers) do not.
        `SELECT pid FROM pg_stat_activity
         WHERE pid <> pg_backend_pid() AND (datname = current_database() OR (backend_type <> 'client backend' AND datname IS NULL))`,
      );
      pgPids = result.rows.map((r) => r.pid);
    } finally {
      await client.end();
    }
    const serverPids = [this.serverPid, ...childrenOf(this.serverPid)];
    const usage = process.cpuUsage();
    return {
      at: performance.now(),
      server: new Map(serverPids.map((pid) => [pid, processCpuMs(pid)])),
      postgres: new Map(pgPids.map((pid) => [pid, processCpuMs(pid)])),
      benchMs: (usage.user + usage.system) / 1000,
      machineBusyMs: machineBusyMs(),
    };
  }
}

function delta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) {
    sum += ms - (before.get(pid) ?? 0);
  }
  return sum;
}

/** utime + stime of a process, 0 if it is gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Busy time of all CPUs (everything but idle and iowait) since boot. */
function machineBusyMs(): number {
  const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const values = ticks.slice(0, 8).map(Number);
  const idle = values[3] + (values[4] ?? 0);
  return (values.reduce((a, b) => a + b, 0) - idle - values[7]) * TICK_MS;
}
