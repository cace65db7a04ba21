import {
  Controller,
  ForbiddenException,
  Get,
  Query,
  Req,
  Res,
  StreamableFile,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiKeyGuard, ApiKeyRequest } from '../api-keys/api-key.guard';
import { AuthUser, CurrentUser, Public } from '../auth/decorators';
import { KeyUsageQueryDto, ReportQueryDto, ReportView } from './dto/report.dto';
import { ReportsService } from './reports.service';

/** Usage and billing reports from the ledger, as JSON, CSV or PDF. */
@ApiTags('billing')
@ApiBearerAuth('jwt')
@Controller('api/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('usage')
  @ApiOperation({
    summary: 'Requests and tokens by day/week/month, grouped by tenant, user, key, model or provider',
    description:
      'Admins see everything (filter by tenantId/userId/apiKeyId); others their own keys. `format=csv|pdf` downloads.',
  })
  @ApiProduces('application/json', 'text/csv', 'application/pdf')
  @ApiOkResponse({ type: ReportView })
  async usage(
    @CurrentUser() user: AuthUser,
    @Query() q: ReportQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.send('usage', await this.reports.report(user, 'usage', q), q.format, res);
  }

  @Get('billing')
  @ApiOperation({
    summary: 'Cost by day/week/month, grouped by tenant (default), user, key, model or provider',
    description: 'Totals equal the usage ledger. `format=csv|pdf` downloads.',
  })
  @ApiProduces('application/json', 'text/csv', 'application/pdf')
  @ApiOkResponse({ type: ReportView })
  async billing(
    @CurrentUser() user: AuthUser,
    @Query() q: ReportQueryDto,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.send('billing', await this.reports.report(user, 'billing', q), q.format, res);
  }

  private send(
    kind: string,
    r: ReportView,
    format: string | undefined,
    res: Response,
  ): ReportView | string | StreamableFile {
    const name = `${kind}-report-${r.from.slice(0, 10)}-${r.to.slice(0, 10)}`;
    if (format === 'csv') {
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="${name}.csv"`);
      return this.reports.csv(r);
    }
    if (format === 'pdf') {
      return new StreamableFile(this.reports.pdf(r), {
        type: 'application/pdf',
        disposition: `attachment; filename="${name}.pdf"`,
      });
    }
    return r;
  }
}

/** The key holder's own usage (OpenAI-style path on the gateway, API-key authenticated). */
@ApiTags('gateway')
@ApiSecurity('api-key')
@ApiSecurity('x-api-key')
@Public()
@UseGuards(ApiKeyGuard)
@Controller('v1')
export class UsageController {
  constructor(private readonly reports: ReportsService) {}

  @Get('usage')
  @ApiOperation({ summary: "The presented key's own usage and cost by UTC day and model" })
  @ApiOkResponse({
    schema: {
      example: {
        object: 'usage',
        api_key_id: '3f0c…',
        start: '2026-10-26T21:00:00.000Z',
        end: '2026-11-25T21:00:00.000Z',
        data: [
          {
            date: '2026-11-25',
            model: 'gpt-4o-mini',
            requests: 12,
            input_tokens: 3400,
            output_tokens: 800,
            cached_tokens: 0,
            reasoning_tokens: 0,
            cost_usd: 0.00099,
          },
        ],
        totals: { requests: 12, input_tokens: 3400, output_tokens: 800, cost_usd: 0.00099 },
      },
    },
  })
  usage(@Req() req: ApiKeyRequest, @Query() q: KeyUsageQueryDto) {
    const scopes = req.apiKey!.scopes;
    if (scopes && !scopes.has('usage')) throw new ForbiddenException("This API key has no 'usage' scope");
    return this.reports.keyUsage(req.apiKey!.id, q.start_date, q.end_date);
  }
}
