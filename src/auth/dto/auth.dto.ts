import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { USER_ROLES, UserRole } from '../../users/user.entity';

export class SetupDto {
  @ApiProperty({ example: 'admin@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'a long admin password', minLength: 8 })
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  password: string;
}

export class LoginDto {
  @ApiProperty({ example: 'admin@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'a long admin password' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from login or the previous refresh', example: 'rt_3q2…' })
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  refreshToken: string;
}

export class ChangePasswordDto {
  @ApiProperty({ example: 'the current password' })
  @IsString()
  @MaxLength(200)
  currentPassword: string;

  @ApiProperty({ example: 'a new long password', minLength: 8 })
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  newPassword: string;
}

export class MeView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'admin@example.com' }) email: string;
  @ApiProperty({ enum: USER_ROLES }) role: UserRole;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
}

export class TokenPairView {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer` on /api', example: 'eyJhbGciOi…' })
  accessToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 }) expiresIn: number;
  @ApiProperty({
    description: 'Single-use token for /api/auth/refresh (rotates on every use)',
    example: 'rt_3q2…',
  })
  refreshToken: string;
  @ApiProperty({ type: String, format: 'date-time' }) refreshExpiresAt: Date;
  @ApiProperty({ type: MeView }) user: MeView;
}

export class SetupStatusView {
  @ApiProperty({ description: 'True until the first admin exists', example: true }) setupRequired: boolean;
}
