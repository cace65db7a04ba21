import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/decorators';
import { Readiness, SystemService } from './system.service';

@ApiTags('system')
@Public()
@Controller('health')
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up (no dependency checks)' })
  @ApiOkResponse({ schema: { example: { status: 'ok', uptimeSeconds: 42 } } })
  live(): { status: 'ok'; uptimeSeconds: number } {
    return { status: 'ok', uptimeSeconds: Math.round((Date.now() - this.system.startedAt.getTime()) / 1000) };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: database (and Redis when configured) answer; 503 otherwise' })
  @ApiOkResponse({
    schema: {
      example: {
        status: 'ok',
        database: { status: 'up', latencyMs: 1.2, mode: 'embedded' },
        redis: { status: 'not-configured' },
      },
    },
  })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body says which' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<Readiness> {
    const r = await this.system.readiness();
    res.status(r.status === 'ok' ? 200 : 503);
    return r;
  }
}
