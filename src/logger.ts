import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config/configuration';

/**
 * One JSON logger (pino) for Fastify's request logs and NestJS's own messages. Lines go to stdout
 * asynchronously (lines written while a write is in flight leave together): a synchronous write per access-log
 * line cost ~40% of small-GET throughput. pino flushes what is left when the process exits.
 */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'ais-s3' } }, pino.destination({ dest: 1, sync: false }));
}

/** NestJS's logger interface over pino; Nest's `context` (the class name) becomes a field. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
