import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, Roles } from '../auth/decorators';
import { BudgetsService, BudgetView } from './budgets.service';
import { BudgetQueryDto, CreateBudgetDto, UpdateBudgetDto } from './dto/budget.dto';

const EXAMPLE = {
  id: '6a1e…',
  scope: 'key',
  scopeId: '3f0c3f8e-8a0b-4c1e-9d65-8d4c1b2a7e10',
  scopeName: 'ci-pipeline',
  tenantId: '9b2d…',
  period: 'monthly',
  amountUsd: 50,
  thresholds: [50, 80],
  enabled: true,
  periodStart: '2026-11-01T00:00:00.000Z',
  periodEnd: '2026-12-01T00:00:00.000Z',
  spentUsd: 12.3456,
  reservedUsd: 0.002,
  remainingUsd: 37.6544,
};

/** Budgets: admins manage them; everyone sees those that apply to them, with the current spend. */
@ApiTags('billing')
@ApiBearerAuth('jwt')
@Controller('api/budgets')
export class BudgetsController {
  constructor(private readonly budgets: BudgetsService) {}

  @Get()
  @ApiOperation({ summary: 'List budgets with their current period spend (admins: all; others: their own)' })
  @ApiOkResponse({ schema: { example: [EXAMPLE] } })
  list(@CurrentUser() user: AuthUser, @Query() q: BudgetQueryDto): Promise<BudgetView[]> {
    return this.budgets.list(user, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one budget with its current period spend' })
  @ApiOkResponse({ schema: { example: EXAMPLE } })
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<BudgetView> {
    return this.budgets.get(user, id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary:
      'Set a budget on a key, user or tenant (admin). Requests over it get 429 insufficient_quota in their protocol.',
  })
  @ApiOkResponse({ schema: { example: EXAMPLE } })
  create(@Body() dto: CreateBudgetDto): Promise<BudgetView> {
    return this.budgets.create(dto);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a budget (admin)' })
  @ApiOkResponse({ schema: { example: EXAMPLE } })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateBudgetDto): Promise<BudgetView> {
    return this.budgets.update(id, dto);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a budget (admin)' })
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.budgets.remove(id);
  }
}
