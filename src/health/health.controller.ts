import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/decorators';
import {
  HealthDetailView,
  HealthHistoryPageView,
  HealthHistoryQueryDto,
  ProviderHealthView,
  ProxyHealthView,
} from './dto/health.dto';
import { HealthService } from './health.service';

/** Health of upstream credentials and proxies. Reads for every signed-in role; checks for admins. */
@ApiTags('health')
@ApiBearerAuth('jwt')
@Controller('api/health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('providers')
  @ApiOperation({ summary: 'Every provider with its credentials’ status, latency, balance and availability' })
  @ApiOkResponse({ type: [ProviderHealthView] })
  providers(): Promise<ProviderHealthView[]> {
    return this.health.providerViews();
  }

  @Get('providers/:id')
  @ApiOperation({ summary: 'One provider’s health' })
  @ApiOkResponse({ type: ProviderHealthView })
  @ApiNotFoundResponse()
  async provider(@Param('id', ParseUUIDPipe) id: string): Promise<ProviderHealthView> {
    return (await this.health.providerViews(id))[0];
  }

  @Post('providers/:id/check')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check the provider’s enabled credentials now (and its balance); returns its health',
  })
  @ApiOkResponse({ type: ProviderHealthView })
  @ApiNotFoundResponse()
  async checkProvider(@Param('id', ParseUUIDPipe) id: string): Promise<ProviderHealthView> {
    await this.health.checkProvider(id);
    return (await this.health.providerViews(id))[0];
  }

  @Get('proxies')
  @ApiOperation({ summary: 'Every proxy’s status, latency and availability' })
  @ApiOkResponse({ type: [ProxyHealthView] })
  proxies(): Promise<ProxyHealthView[]> {
    return this.health.proxyViews();
  }

  @Post('proxies/:id/check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a proxy now: a request through it to its check target' })
  @ApiOkResponse({ type: ProxyHealthView })
  @ApiNotFoundResponse()
  async checkProxy(@Param('id', ParseUUIDPipe) id: string): Promise<ProxyHealthView> {
    await this.health.checkProxy(id);
    return (await this.health.proxyViews()).find((p) => p.id === id)!;
  }

  @Get('history')
  @ApiOperation({ summary: 'Check history, newest first (filters, pagination)' })
  @ApiOkResponse({ type: HealthHistoryPageView })
  history(@Query() q: HealthHistoryQueryDto): Promise<HealthHistoryPageView> {
    return this.health.history(q);
  }
}

/** Public summary for load balancers and status pages: counts only (no names, ids, URLs or secrets). */
@ApiTags('system')
@Public()
@Controller('health')
export class HealthDetailController {
  constructor(private readonly health: HealthService) {}

  @Get('detail')
  @ApiOperation({ summary: 'Upstream health summary: providers, credentials and proxies per status' })
  @ApiOkResponse({ type: HealthDetailView })
  detail(): Promise<HealthDetailView> {
    return this.health.summary() as Promise<HealthDetailView>;
  }
}
