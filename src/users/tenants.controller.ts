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
import { AuthUser, CurrentUser, Roles } from '../auth/decorators';
import { TenantDto, TenantView } from './dto/tenant.dto';
import { TenantsService } from './tenants.service';

@ApiTags('users')
@ApiBearerAuth('jwt')
@Controller('api/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @ApiOperation({ summary: 'List tenants (admins: all; others: their own)' })
  @ApiOkResponse({ type: [TenantView] })
  list(@CurrentUser() user: AuthUser): Promise<TenantView[]> {
    return this.tenants.list(user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a tenant' })
  @ApiOkResponse({ type: TenantView })
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<TenantView> {
    return this.tenants.get(user, id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a tenant (admin)' })
  @ApiCreatedResponse({ type: TenantView })
  @ApiConflictResponse({ description: 'Name taken' })
  create(@CurrentUser() user: AuthUser, @Body() dto: TenantDto): Promise<TenantView> {
    return this.tenants.create(user, dto);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Rename a tenant (admin)' })
  @ApiOkResponse({ type: TenantView })
  rename(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: TenantDto,
  ): Promise<TenantView> {
    return this.tenants.rename(user, id, dto);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an empty tenant (admin); 409 while it has users' })
  @ApiNoContentResponse()
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.tenants.remove(id);
  }
}
