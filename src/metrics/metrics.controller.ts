import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import { LogWriter } from '../logs/log-writer.service';
import { MetricsService } from './metrics.service';

@ApiTags('system')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly logs: LogWriter,
  ) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary: 'Prometheus metrics: requests, latency and TTFT histograms, tokens, failovers, process',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    schema: { type: 'string', example: 'gateway_requests_total{front="openai",...} 12' },
  })
  async scrape(): Promise<string> {
    this.metrics.logBuffer.set(this.logs.pending);
    return this.metrics.registry.metrics();
  }
}
