import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { seconds, ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { TypeOrmModule } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { REDIS } from '../common/redis/redis.module';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard, RolesGuard } from './guards';
import { JwtStrategy } from './jwt.strategy';
import { RefreshToken } from './refresh-token.entity';

const ipOf = (req: Record<string, unknown>) => String(req.ip ?? 'unknown');
const emailOf = (req: Record<string, unknown>) => {
  const email = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.toLowerCase().slice(0, 254) : '';
};

@Module({
  imports: [
    UsersModule,
    PassportModule,
    TypeOrmModule.forFeature([RefreshToken]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ secret: config.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
    // Sign-in throttling: per (IP, email) so one account cannot be guessed, and per IP (5× looser) so
    // one address cannot spray many accounts. Shared across instances through Redis when configured.
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS],
      useFactory: (config: AppConfig, redis: Redis | null) => ({
        throttlers: [
          {
            name: 'login',
            ttl: seconds(config.loginThrottle.ttlSeconds),
            limit: config.loginThrottle.limit,
            blockDuration: seconds(config.loginThrottle.ttlSeconds),
            getTracker: (req) => `${ipOf(req)}|${emailOf(req)}`,
          },
          {
            name: 'login-ip',
            ttl: seconds(config.loginThrottle.ttlSeconds),
            limit: config.loginThrottle.limit * 5,
            blockDuration: seconds(config.loginThrottle.ttlSeconds),
            getTracker: ipOf,
          },
        ],
        errorMessage: 'Too many sign-in attempts; try again later',
        storage: redis ? new ThrottlerStorageRedisService(redis) : undefined,
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
