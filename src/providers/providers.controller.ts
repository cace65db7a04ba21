import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreateProviderDto,
  CredentialInputDto,
  ProviderView,
  UpdateCredentialDto,
  UpdateProviderDto,
  ValidationResultView,
  ProbeDto,
  ProbeResultView,
  UpstreamModelsView,
} from './dto/provider.dto';
import { ProviderProbe } from './provider-probe.service';
import { BatchDeleteDto, BatchDeleteResultView } from '../common/dto/batch-delete.dto';
import { ProvidersService } from './providers.service';

/** Admin API for upstream providers. Reads for every signed-in role; writes for admins. */
@ApiTags('providers')
@ApiBearerAuth('jwt')
@Controller('api/providers')
export class ProvidersController {
  constructor(
    private readonly providers: ProvidersService,
    private readonly probe: ProviderProbe,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List providers with their credentials (keys masked)' })
  @ApiOkResponse({ type: [ProviderView] })
  async list(): Promise<ProviderView[]> {
    return (await this.providers.list()).map((p) => this.providers.toView(p));
  }

  @Post()
  @ApiOperation({ summary: 'Create a provider, optionally with credentials (stored encrypted)' })
  @ApiCreatedResponse({ type: ProviderView })
  @ApiConflictResponse({ description: 'The name is already used' })
  async create(@Body() dto: CreateProviderDto): Promise<ProviderView> {
    return this.providers.toView(await this.providers.create(dto));
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a provider definition without saving it' })
  @ApiOkResponse({ type: ValidationResultView })
  validate(@Body() dto: CreateProviderDto): Promise<ValidationResultView> {
    return this.providers.validate(dto);
  }

  @Post('batch-delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete several providers (and their credentials)' })
  @ApiOkResponse({ type: BatchDeleteResultView })
  async batchDelete(@Body() dto: BatchDeleteDto): Promise<BatchDeleteResultView> {
    return { deleted: await this.providers.batchDelete(dto.ids) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one provider (keys masked)' })
  @ApiOkResponse({ type: ProviderView })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ProviderView> {
    return this.providers.toView(await this.providers.get(id));
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Make a real 1-token call with each credential; latency and the upstream error if any',
  })
  @ApiOkResponse({ type: [ProbeResultView] })
  test(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ProbeDto): Promise<ProbeResultView[]> {
    return this.probe.test(id, dto.model, dto.credentialId);
  }

  @Get(':id/upstream-models')
  @ApiOperation({ summary: "The upstream's own model list (for importing into the catalogue)" })
  @ApiOkResponse({ type: UpstreamModelsView })
  async upstreamModels(@Param('id', ParseUUIDPipe) id: string): Promise<UpstreamModelsView> {
    return { models: await this.probe.upstreamModels(id) };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a provider (credentials have their own endpoints)' })
  @ApiOkResponse({ type: ProviderView })
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateProviderDto,
  ): Promise<ProviderView> {
    return this.providers.toView(await this.providers.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a provider and its credentials' })
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.providers.remove(id);
  }

  @Post(':id/credentials')
  @ApiOperation({ summary: 'Add an API key to a provider (stored encrypted, shown masked)' })
  @ApiCreatedResponse({ type: ProviderView })
  async addCredential(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CredentialInputDto,
  ): Promise<ProviderView> {
    return this.providers.toView(await this.providers.addCredential(id, dto));
  }

  @Patch(':id/credentials/:credentialId')
  @ApiOperation({ summary: 'Relabel, reweight, enable/disable or replace a provider API key' })
  @ApiOkResponse({ type: ProviderView })
  async updateCredential(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('credentialId', ParseUUIDPipe) credentialId: string,
    @Body() dto: UpdateCredentialDto,
  ): Promise<ProviderView> {
    return this.providers.toView(await this.providers.updateCredential(id, credentialId, dto));
  }

  @Delete(':id/credentials/:credentialId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a provider API key' })
  @ApiNoContentResponse()
  async removeCredential(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('credentialId', ParseUUIDPipe) credentialId: string,
  ): Promise<void> {
    await this.providers.removeCredential(id, credentialId);
  }
}
