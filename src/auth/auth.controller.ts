import { Body, Controller, Get, HttpCode, Patch, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { AuthService, ClientInfo } from './auth.service';
import { AuthUser, CurrentUser, Public, Roles } from './decorators';
import {
  ChangePasswordDto,
  LoginDto,
  MeView,
  RefreshDto,
  SetupDto,
  SetupStatusView,
  TokenPairView,
} from './dto/auth.dto';

const client = (req: Request): ClientInfo => ({ ip: req.ip, userAgent: req.get('user-agent') });

@ApiTags('auth')
@UseGuards(ThrottlerGuard)
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @SkipThrottle()
  @Get('setup')
  @ApiOperation({ summary: 'Whether the first admin still has to be created' })
  @ApiOkResponse({ type: SetupStatusView })
  async setupStatus(): Promise<SetupStatusView> {
    return { setupRequired: await this.auth.setupRequired() };
  }

  @Public()
  @Post('setup')
  @ApiOperation({ summary: 'Create the first admin (refused once any user exists)' })
  @ApiCreatedResponse({ type: TokenPairView, description: 'The admin is created and signed in' })
  @ApiForbiddenResponse({ description: 'Setup is already done' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts from this address' })
  setup(@Body() dto: SetupDto, @Req() req: Request): Promise<TokenPairView> {
    return this.auth.setup(dto.email, dto.password, client(req));
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password; returns a JWT and a refresh token' })
  @ApiOkResponse({ type: TokenPairView })
  @ApiUnauthorizedResponse({ description: 'Invalid email or password' })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts: locked out for the throttle window' })
  login(@Body() dto: LoginDto, @Req() req: Request): Promise<TokenPairView> {
    return this.auth.login(dto.email, dto.password, client(req));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new token pair (the old refresh token is revoked)',
  })
  @ApiOkResponse({ type: TokenPairView })
  @ApiUnauthorizedResponse({ description: 'Unknown, expired or revoked refresh token' })
  refresh(@Body() dto: RefreshDto, @Req() req: Request): Promise<TokenPairView> {
    return this.auth.refresh(dto.refreshToken, client(req));
  }

  @Public()
  @SkipThrottle()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke the session the refresh token belongs to' })
  @ApiNoContentResponse()
  async logout(@Body() dto: RefreshDto): Promise<void> {
    await this.auth.logout(dto.refreshToken);
  }

  @SkipThrottle()
  @Get('me')
  @ApiBearerAuth('jwt')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: MeView })
  me(@CurrentUser() user: AuthUser): MeView {
    return user;
  }

  @Roles('admin', 'member', 'viewer')
  @Patch('password')
  @HttpCode(204)
  @ApiBearerAuth('jwt')
  @ApiOperation({
    summary: 'Change your own password (revokes all your refresh tokens; sign in again everywhere)',
  })
  @ApiNoContentResponse()
  async changePassword(@CurrentUser() user: AuthUser, @Body() dto: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(user.id, dto.currentPassword, dto.newPassword);
  }
}
