import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * Probe failures leave as terminus's JSON (`{status:"error", error:{embedded:{status:"down", reason}}}`),
 * not as the S3 `<Error>` document the global S3 filter would make of them: the reason is what an operator
 * reads in `kubectl describe` and what readiness dashboards show.
 */
@Catch(HttpException)
export class HealthExceptionFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<FastifyReply>().status(exception.getStatus()).send(exception.getResponse());
  }
}
