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
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AlertsService } from './alerts.service';
import { ChannelsService } from './channels.service';
import { AlertDetailView, AlertPageView, AlertQueryDto } from './dto/alert.dto';
import { ChannelTestView, ChannelView, CreateChannelDto, UpdateChannelDto } from './dto/channel.dto';
import { CreateRuleDto, RuleView, UpdateRuleDto } from './dto/rule.dto';
import { RulesService } from './rules.service';

const TARGET_REFUSED =
  'Invalid settings, or a target (URL host, SMTP host) that is or resolves to a loopback, private, ' +
  'link-local, unspecified, multicast or reserved address (SSRF protection; the server allows such ' +
  'targets when ALERT_ALLOW_PRIVATE_TARGETS lists them). Example message: "config.url: host ' +
  '169.254.169.254 is a link-local address (the cloud metadata service). …set ' +
  'ALERT_ALLOW_PRIVATE_TARGETS=169.254.169.254 (…)"';

/** Alert channels. Reads for every signed-in role (secrets masked); writes and tests for admins. */
@ApiTags('alerts')
@ApiBearerAuth('jwt')
@Controller('api/alerts/channels')
export class AlertChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Get()
  @ApiOperation({ summary: 'List alert channels (secrets masked)' })
  @ApiOkResponse({ type: [ChannelView] })
  async list(): Promise<ChannelView[]> {
    return (await this.channels.list()).map((c) => this.channels.toView(c));
  }

  @Post()
  @ApiOperation({
    summary: 'Create a channel: webhook, slack, dingtalk, feishu or email (secrets stored encrypted)',
  })
  @ApiCreatedResponse({ type: ChannelView })
  @ApiBadRequestResponse({ description: TARGET_REFUSED })
  @ApiConflictResponse({ description: 'The name is already used' })
  async create(@Body() dto: CreateChannelDto): Promise<ChannelView> {
    return this.channels.toView(await this.channels.create(dto));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one channel (secrets masked)' })
  @ApiOkResponse({ type: ChannelView })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ChannelView> {
    return this.channels.toView(await this.channels.get(id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a channel; secrets given replace the stored ones, null removes one' })
  @ApiOkResponse({ type: ChannelView })
  @ApiBadRequestResponse({ description: TARGET_REFUSED })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateChannelDto): Promise<ChannelView> {
    return this.channels.toView(await this.channels.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a channel (it is removed from every rule; alert history keeps its name)' })
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.channels.remove(id);
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Send a test message now; reports success or the error (200 either way; a target refused by the SSRF guard is an error starting with "refused:")',
  })
  @ApiOkResponse({ type: ChannelTestView })
  test(@Param('id', ParseUUIDPipe) id: string): Promise<ChannelTestView> {
    return this.channels.test(id);
  }
}

/** Alert rules. Reads for every signed-in role; writes for admins. */
@ApiTags('alerts')
@ApiBearerAuth('jwt')
@Controller('api/alerts/rules')
export class AlertRulesController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  @ApiOperation({ summary: 'List alert rules' })
  @ApiOkResponse({ type: [RuleView] })
  async list(): Promise<RuleView[]> {
    return (await this.rules.list()).map((r) => this.rules.toView(r));
  }

  @Post()
  @ApiOperation({ summary: 'Create an alert rule' })
  @ApiCreatedResponse({ type: RuleView })
  @ApiConflictResponse({ description: 'The name is already used' })
  async create(@Body() dto: CreateRuleDto): Promise<RuleView> {
    return this.rules.toView(await this.rules.create(dto));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one alert rule' })
  @ApiOkResponse({ type: RuleView })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<RuleView> {
    return this.rules.toView(await this.rules.get(id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an alert rule' })
  @ApiOkResponse({ type: RuleView })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateRuleDto): Promise<RuleView> {
    return this.rules.toView(await this.rules.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an alert rule (its past alerts stay in the history)' })
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.rules.remove(id);
  }
}

/** Alert history. Declared after the channel and rule controllers so `/:id` does not shadow them. */
@ApiTags('alerts')
@ApiBearerAuth('jwt')
@Controller('api/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({
    summary: 'Fired alerts, newest first, with delivery status (filter by status, type, time)',
  })
  @ApiOkResponse({ type: AlertPageView })
  page(@Query() q: AlertQueryDto): Promise<AlertPageView> {
    return this.alerts.page(q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One alert with its deliveries and every delivery attempt' })
  @ApiOkResponse({ type: AlertDetailView })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AlertDetailView> {
    return this.alerts.get(id);
  }
}
