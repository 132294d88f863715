import pino, { type Logger } from 'pino';

/** Structured logs without PII: bodies are never logged, and credentials are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'daichao' },
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.phone',
        '*.idNumber',
      ],
      censor: '[redacted]',
    },
  });
}
export type { Logger };
