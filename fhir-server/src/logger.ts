import pino, { type DestinationStream } from 'pino';

export interface Logger {
  info(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/**
 * Details that may carry personal data or secrets, blanked wherever a caller passes them (at
 * the top level or one object down): log lines hold request ids, routes and statuses, not PHI.
 */
const REDACTED = ['authorization', 'password', 'token', 'email', 'name', 'body', 'query'].flatMap((key) => [key, `*.${key}`]);

/**
 * JSON lines through pino, one object per event (`level`, `time`, `pid`, `hostname`,
 * `message`, details), for log shippers; to `destination`, or stdout.
 */
export function createJsonLogger(destination?: DestinationStream): Logger {
  const log = pino(
    {
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    destination,
  );
  return {
    info: (message, details) => log.info(details ?? {}, message),
    error: (message, details) => log.error(details ?? {}, message),
  };
}

export const jsonLogger: Logger = createJsonLogger();

export const silentLogger: Logger = { info: () => undefined, error: () => undefined };
