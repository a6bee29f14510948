export interface Logger {
  info(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** JSON lines on stdout/stderr, one object per event, for log shippers. */
export const jsonLogger: Logger = {
  info: (message, details) =>
    process.stdout.write(JSON.stringify({ level: 'info', time: new Date().toISOString(), message, ...details }) + '\n'),
  error: (message, details) =>
    process.stderr.write(JSON.stringify({ level: 'error', time: new Date().toISOString(), message, ...details }) + '\n'),
};

export const silentLogger: Logger = { info: () => undefined, error: () => undefined };
