import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
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
import { CreateProxyDto, ProxyView, UpdateProxyDto } from './dto/proxy.dto';
import { ProxyPoolService } from './proxy-pool.service';

/** Admin API for the outbound proxy pool. Reads for every signed-in role; writes for admins. */
@ApiTags('proxies')
@ApiBearerAuth('jwt')
@Controller('api/proxies')
export class ProxiesController {
  constructor(private readonly pool: ProxyPoolService) {}

  @Get()
  @ApiOperation({ summary: 'List proxies (credentials masked) with their last health status' })
  @ApiOkResponse({ type: [ProxyView] })
  async list(): Promise<ProxyView[]> {
    return (await this.pool.list()).map((p) => this.pool.toView(p));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One proxy' })
  @ApiOkResponse({ type: ProxyView })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ProxyView> {
    return this.pool.toView(await this.pool.get(id));
  }

  @Post()
  @ApiOperation({ summary: 'Add a proxy (http, https or socks5; credentials stored encrypted)' })
  @ApiCreatedResponse({ type: ProxyView })
  @ApiBadRequestResponse({ description: 'Bad URL or scheme' })
  @ApiConflictResponse({ description: 'The name is already used' })
  async create(@Body() dto: CreateProxyDto): Promise<ProxyView> {
    return this.pool.toView(await this.pool.create(dto));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a proxy; its cached connections are closed on every instance' })
  @ApiOkResponse({ type: ProxyView })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateProxyDto): Promise<ProxyView> {
    return this.pool.toView(await this.pool.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a proxy (409 while a provider is pinned to it)' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'A provider uses this proxy as its single proxy' })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.pool.remove(id);
  }
}
