import { Catch, ServiceUnavailableException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * A failed readiness check is an answer, not a fault: Terminus throws a 503 whose response is the health
 * report, and this sends it as it is. Scoped to the health controller, it comes before any app-wide
 * filter (the gateway's turns every other 5xx into a bare 500 and logs it as unexpected).
 */
@Catch(ServiceUnavailableException)
export class HealthReportFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: ServiceUnavailableException, host: ArgumentsHost): void {
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), error.getResponse(), error.getStatus());
  }
}
