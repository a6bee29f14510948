export interface BenchOptions {
  /** Short smoke run: seconds instead of tens of seconds, 2% search and audit data sets. */
  readonly quick: boolean;
  /** Workload or suite names (`core`, `search`, `read`, ...); empty = everything. */
  readonly only: readonly string[];
  /** Print EXPLAIN (ANALYZE, BUFFERS) of every benchmark query. */
  readonly explain: boolean;
  /** Rebuild the cached search data set even if it is up to date. */
  readonly reload: boolean;
  /** Write V8 CPU profiles of the server into this folder. */
  readonly cpuProfileDir?: string;
  /** Extra server environment, from `--server-env NAME=value` (repeatable). */
  readonly serverEnv: Record<string, string>;
  /** Override the measured duration of time-bound workloads, in seconds. */
  readonly durationSeconds?: number;
}

export const USAGE = `npm run bench -- [options]

  --quick                 short smoke run (3 s per workload, 2% search and audit data sets)
  --only <names>          comma-separated workloads or suites: core, search, scheduling, documents, bulk, audit, export,
                          export-audit, create, read, search-family, transaction, search-read, patient-family-birthdate,
                          role-specialty, slot-window, appointment-include, appointment-chained, paging, discovery,
                          doctor-search, next-free-slot, book-distinct, book-contended, audit-latest, audit-range,
                          audit-agent, audit-patient, audit-action, audit-outcome, audit-type-user, audit-paging
  --explain               print EXPLAIN (ANALYZE, BUFFERS) of every benchmark query, with the indexes used
  --reload                rebuild the cached data sets (template databases) even if current
  --duration <seconds>    measured duration of time-bound workloads (default 20)
  --cpu-prof <dir>        write V8 CPU profiles of the server process(es) into <dir>
  --server-env NAME=value extra server environment (repeatable), e.g. WEB_CONCURRENCY=2
  --help`;

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const options = { quick: false, only: [] as string[], explain: false, reload: false, serverEnv: {} as Record<string, string> } as {
    -readonly [K in keyof BenchOptions]: BenchOptions[K];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) {
        throw new Error(`${arg} needs a value`);
      }
      return next;
    };
    switch (arg) {
      case '--quick':
        options.quick = true;
        break;
      case '--only':
        options.only = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--explain':
        options.explain = true;
        break;
      case '--reload':
        options.reload = true;
        break;
      case '--duration':
        options.durationSeconds = Number(value());
        if (!(options.durationSeconds > 0)) {
          throw new Error('--duration must be a positive number of seconds');
        }
        break;
      case '--cpu-prof':
        options.cpuProfileDir = value();
        break;
      case '--server-env': {
        const [name, ...rest] = value().split('=');
        options.serverEnv[name] = rest.join('=');
        break;
      }
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new Error(`Unknown option ${arg}\n\n${USAGE}`);
    }
  }
  return options;
}

/** Whether a workload runs under `--only` (its own name or its suite's name selects it). */
export function isSelected(options: BenchOptions, suite: string, workload: string): boolean {
  return options.only.length === 0 || options.only.includes(suite) || options.only.includes(workload);
}
