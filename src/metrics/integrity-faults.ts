import type { LoggerService } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import type { IntegrityFault } from '../ais/embedded/embedded-store';

const FAULT_KINDS: ReadonlyArray<IntegrityFault['kind']> = ['missing', 'truncated'];

export type IntegrityFaultsCounter = Counter<'kind'>;

/** `embedded_store_integrity_faults_total{kind}`, registered in `registry` (MetricsService's), every kind at 0 from start. */
export function integrityFaultsCounter(registry: Registry): IntegrityFaultsCounter {
  const counter = new Counter({
    name: 'embedded_store_integrity_faults_total',
    help: 'Reads that found stored data damaged: a blob file missing or shorter than its record (changed behind the gateway), by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  for (const kind of FAULT_KINDS) counter.inc({ kind }, 0);
  return counter;
}

/**
 * The embedded store's integrity faults counted and logged at error level with the object and blob they are
 * about (a key in a log line is fine; as a label value it would not be bounded).
 */
export function integrityFaultReporting(counter: IntegrityFaultsCounter, logger: LoggerService): (fault: IntegrityFault) => void {
  return (fault) => {
    counter.inc({ kind: fault.kind });
    logger.error(`integrity fault (${fault.kind}) reading ${fault.bucket}/${fault.key}: ${fault.detail}`);
  };
}
