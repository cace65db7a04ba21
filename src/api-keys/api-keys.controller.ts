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
  Req,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthUser, CurrentUser, Public, Roles } from '../auth/decorators';
import { ApiKey } from './api-key.entity';
import { ApiKeyGuard, ApiKeyRequest } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';
import {
  ApiKeyView,
  CreateApiKeyDto,
  CreatedApiKeyView,
  KeyInfoView,
  UpdateApiKeyDto,
} from './dto/api-key.dto';

function toView(k: ApiKey): ApiKeyView {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    userId: k.userId,
    allowedModels: k.allowedModels,
    expiresAt: k.expiresAt,
    enabled: k.enabled,
    lastUsedAt: k.lastUsedAt,
    memoryEnabled: k.memoryEnabled,
    createdAt: k.createdAt,
    rpmLimit: k.rpmLimit,
    tpmLimit: k.tpmLimit,
    modelLimits: k.modelLimits,
    allowedIps: k.allowedIps,
    scopes: k.scopes,
  };
}

/** Admin API: admins manage every key; members and viewers see (and members manage) their own. */
@ApiTags('api-keys')
@ApiBearerAuth('jwt')
@Controller('api/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: 'List API keys (admins: all, filterable by user; others: their own)' })
  @ApiQuery({ name: 'userId', required: false, description: 'Only this owner’s keys' })
  @ApiOkResponse({ type: [ApiKeyView] })
  async list(
    @CurrentUser() user: AuthUser,
    @Query('userId', new ParseUUIDPipe({ optional: true })) userId?: string,
  ) {
    return (await this.keys.list(user, userId)).map(toView);
  }

  @Post()
  @Roles('admin', 'member')
  @ApiOperation({ summary: 'Create an API key; the secret is returned once' })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    const { key, secret } = await this.keys.create(user, dto);
    return { ...toView(key), key: secret };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one API key (never its secret)' })
  @ApiOkResponse({ type: ApiKeyView })
  async get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<ApiKeyView> {
    return toView(await this.keys.get(user, id));
  }

  @Patch(':id')
  @Roles('admin', 'member')
  @ApiOperation({ summary: 'Rename, enable/disable, restrict models or set the expiry of a key' })
  @ApiOkResponse({ type: ApiKeyView })
  async update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateApiKeyDto,
  ): Promise<ApiKeyView> {
    return toView(await this.keys.update(user, id, dto));
  }

  @Post(':id/rotate')
  @Roles('admin', 'member')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Rotate: a new secret for the same key (settings, budgets and history stay); the old secret stops working at once',
  })
  @ApiOkResponse({ type: CreatedApiKeyView })
  async rotate(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<CreatedApiKeyView> {
    const { key, secret } = await this.keys.rotate(user, id);
    return { ...toView(key), key: secret };
  }

  @Delete(':id')
  @Roles('admin', 'member')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a key (it stops working at once on every instance)' })
  @ApiNoContentResponse()
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.keys.remove(user, id);
  }
}

/** Gateway side: lets a key holder check the key they present. */
@ApiTags('gateway')
@ApiSecurity('api-key')
@ApiSecurity('x-api-key')
@ApiSecurity('x-goog-api-key')
@Public()
@UseGuards(ApiKeyGuard)
@Controller('v1')
export class KeyInfoController {
  @Get('key')
  @ApiOperation({ summary: 'Describe the presented API key (Bearer, x-api-key, x-goog-api-key or ?key=)' })
  @ApiOkResponse({ type: KeyInfoView })
  @ApiUnauthorizedResponse({ description: 'Missing, unknown, disabled or expired key (OpenAI error shape)' })
  info(@Req() req: ApiKeyRequest): KeyInfoView {
    const k = req.apiKey!;
    return {
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      userId: k.userId,
      tenantId: k.tenantId,
      allowedModels: k.allowedModels,
      expiresAt: k.expiresAt === null ? null : new Date(k.expiresAt).toISOString(),
      memoryEnabled: k.memoryEnabled,
    };
  }
}
