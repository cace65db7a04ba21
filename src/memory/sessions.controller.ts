import {
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiKeyGuard, ApiKeyRequest } from '../api-keys/api-key.guard';
import type { ResolvedApiKey } from '../api-keys/api-keys.service';
import { AuthUser, CurrentUser, Public, Roles } from '../auth/decorators';
import {
  CreateSessionDto,
  ExportQueryDto,
  ForkSessionDto,
  SessionDetailView,
  SessionPageQueryDto,
  SessionPageView,
  SessionSearchQueryDto,
  SessionView,
  UpdateSessionDto,
} from './dto/session.dto';
import { ExportFile, SessionScope, SessionsService, toSessionView } from './sessions.service';

function send(res: Response, file: ExportFile): void {
  res.setHeader('content-type', file.contentType);
  res.setHeader('content-disposition', `attachment; filename="${file.filename}"`);
  res.send(file.body);
}

function keyOf(req: ApiKeyRequest): ResolvedApiKey {
  const key = req.apiKey!;
  if (!key.memoryEnabled)
    throw new ForbiddenException({
      message: 'Sessions are turned off for this API key',
      code: 'memory_disabled',
    });
  if (key.scopes && !key.scopes.has('sessions'))
    throw new ForbiddenException({
      message: "This API key has no 'sessions' scope",
      code: 'insufficient_scope',
    });
  return key;
}

const keyScope = (k: ResolvedApiKey): SessionScope => ({ userId: k.userId, tenantId: k.tenantId });

/**
 * Sessions for API-key holders. A session belongs to the user behind the key: any of that user's
 * keys can use it, anyone else gets 404. Errors use the OpenAI error shape (like every /v1 route).
 */
@ApiTags('sessions')
@ApiSecurity('api-key')
@ApiSecurity('x-api-key')
@Public()
@UseGuards(ApiKeyGuard)
@ApiUnauthorizedResponse({ description: 'Missing, unknown, disabled or expired key' })
@ApiForbiddenResponse({ description: 'Sessions are turned off for this key (memory_disabled)' })
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a session',
    description:
      'Then send chat requests with `X-Session-Id: <id>` (any front door; Anthropic also `metadata.session_id`) and only the new messages: the gateway prepends the history and appends the new turn and the reply.',
  })
  @ApiCreatedResponse({ type: SessionView })
  async create(@Req() req: ApiKeyRequest, @Body() dto: CreateSessionDto): Promise<SessionView> {
    const k = keyOf(req);
    return toSessionView(
      await this.sessions.create({ userId: k.userId, tenantId: k.tenantId, apiKeyId: k.id }, dto),
    );
  }

  @Get()
  @ApiOperation({ summary: 'List your sessions, most recently active first' })
  @ApiOkResponse({ type: SessionPageView })
  list(@Req() req: ApiKeyRequest, @Query() q: SessionPageQueryDto): Promise<SessionPageView> {
    return this.sessions.list(keyScope(keyOf(req)), q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A session with its messages (canonical content parts)' })
  @ApiOkResponse({ type: SessionDetailView })
  @ApiNotFoundResponse({ description: 'No such session, or not yours' })
  get(@Req() req: ApiKeyRequest, @Param('id', ParseUUIDPipe) id: string): Promise<SessionDetailView> {
    return this.sessions.detail(keyScope(keyOf(req)), id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a session or change its system prompt, model or context budget' })
  @ApiOkResponse({ type: SessionView })
  @ApiNotFoundResponse({ description: 'No such session, or not yours' })
  async update(
    @Req() req: ApiKeyRequest,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateSessionDto,
  ): Promise<SessionView> {
    return toSessionView(await this.sessions.update(keyScope(keyOf(req)), id, dto));
  }

  @Post(':id/fork')
  @ApiOperation({ summary: 'Copy a session up to a message into a new session' })
  @ApiCreatedResponse({ type: SessionView })
  @ApiNotFoundResponse({ description: 'No such session, or not yours' })
  async fork(
    @Req() req: ApiKeyRequest,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ForkSessionDto,
  ): Promise<SessionView> {
    const k = keyOf(req);
    return toSessionView(await this.sessions.fork(keyScope(k), id, dto, k.id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a session (its messages are purged by the retention job)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such session, or not yours' })
  async remove(@Req() req: ApiKeyRequest, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.sessions.remove(keyScope(keyOf(req)), id);
  }

  @Get(':id/export')
  @ApiOperation({ summary: 'Download a session as JSON or Markdown' })
  @ApiProduces('application/json', 'text/markdown')
  @ApiNotFoundResponse({ description: 'No such session, or not yours' })
  async export(
    @Req() req: ApiKeyRequest,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: ExportQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    send(res, await this.sessions.export(keyScope(keyOf(req)), id, q.format));
  }
}

const userScope = (u: AuthUser): SessionScope =>
  u.role === 'admin' ? { tenantId: u.tenantId } : { userId: u.id, tenantId: u.tenantId };

/** Dashboard: admins see every session of their tenant; members and viewers their own. */
@ApiTags('sessions')
@ApiBearerAuth('jwt')
@Controller('api/sessions')
export class AdminSessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({ summary: 'Sessions, most recently active first; search by title or message content' })
  @ApiOkResponse({ type: SessionPageView })
  list(@CurrentUser() user: AuthUser, @Query() q: SessionSearchQueryDto): Promise<SessionPageView> {
    return this.sessions.list(userScope(user), q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A session with its messages' })
  @ApiOkResponse({ type: SessionDetailView })
  @ApiNotFoundResponse({ description: 'No such session in your scope' })
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<SessionDetailView> {
    return this.sessions.detail(userScope(user), id);
  }

  @Get(':id/export')
  @ApiOperation({ summary: 'Download a session as JSON or Markdown' })
  @ApiProduces('application/json', 'text/markdown')
  async export(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: ExportQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    send(res, await this.sessions.export(userScope(user), id, q.format));
  }

  @Delete(':id')
  @Roles('admin', 'member')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a session (admins: any in their tenant; members: their own)' })
  @ApiNoContentResponse()
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.sessions.remove(userScope(user), id);
  }
}
