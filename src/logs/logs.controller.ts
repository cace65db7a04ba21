import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { AuthUser, CurrentUser } from '../auth/decorators';
import { LogPageView, LogQueryDto, LogView, StatsView } from './dto/logs.dto';
import { LogsService } from './logs.service';

@ApiTags('logs')
@ApiBearerAuth('jwt')
@Controller('api/logs')
export class LogsController {
  constructor(private readonly logs: LogsService) {}

  @Get()
  @ApiOperation({ summary: 'Request logs, newest first (admins: all; others: their own)' })
  @ApiOkResponse({ type: LogPageView })
  page(@CurrentUser() user: AuthUser, @Query() q: LogQueryDto): Promise<LogPageView> {
    return this.logs.page(user, q);
  }

  @Get('export')
  @ApiOperation({ summary: 'Export the filtered request logs as CSV' })
  @ApiProduces('text/csv')
  export(@CurrentUser() user: AuthUser, @Query() q: LogQueryDto, @Res() res: Response): void {
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader(
      'content-disposition',
      `attachment; filename="request-logs-${new Date().toISOString().slice(0, 10)}.csv"`,
    );
    Readable.from(this.logs.csv(user, q)).pipe(res);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One request log row with its attempts' })
  @ApiOkResponse({ type: LogView })
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<LogView> {
    return this.logs.get(user, id);
  }
}

@ApiTags('logs')
@ApiBearerAuth('jwt')
@Controller('api/dashboard')
export class DashboardController {
  constructor(private readonly logs: LogsService) {}

  @Get('stats')
  @ApiOperation({
    summary: 'Last 24 h: requests, success rate, tokens, latency p50/p95, per model and provider',
  })
  @ApiOkResponse({ type: StatsView })
  stats(@CurrentUser() user: AuthUser): Promise<StatsView> {
    return this.logs.stats(user, 24 * 3600_000);
  }

  @Get('realtime')
  @ApiOperation({ summary: 'Last hour: the same figures as /stats' })
  @ApiOkResponse({ type: StatsView })
  realtime(@CurrentUser() user: AuthUser): Promise<StatsView> {
    return this.logs.stats(user, 3600_000);
  }
}
