import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/decorators';
import { CreateUserDto, UpdateUserDto, UserView } from './dto/user.dto';
import { User } from './user.entity';
import { UsersService } from './users.service';

export function toUserView(u: User): UserView {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    tenantId: u.tenantId,
    disabled: u.disabled,
    lastLoginAt: u.lastLoginAt,
    createdAt: u.createdAt,
  };
}

@ApiTags('users')
@ApiBearerAuth('jwt')
@Roles('admin')
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List dashboard users (admin)' })
  @ApiOkResponse({ type: [UserView] })
  async list(): Promise<UserView[]> {
    return (await this.users.list()).map(toUserView);
  }

  @Post()
  @ApiOperation({ summary: 'Create a dashboard user (admin)' })
  @ApiCreatedResponse({ type: UserView })
  async create(@Body() dto: CreateUserDto): Promise<UserView> {
    return toUserView(await this.users.create(dto));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one user (admin)' })
  @ApiOkResponse({ type: UserView })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return toUserView(await this.users.findOne(id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change role, tenant, password or disable a user (admin)' })
  @ApiOkResponse({ type: UserView })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateUserDto): Promise<UserView> {
    return toUserView(await this.users.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user and their API keys (admin)' })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.users.remove(id);
  }
}
