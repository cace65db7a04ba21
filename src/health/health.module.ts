import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProvidersModule } from '../providers/providers.module';
import { ProxyPoolModule } from '../proxy-pool/proxy-pool.module';
import { RoutingModule } from '../routing/routing.module';
import { HealthCheck } from './health-check.entity';
import { HealthController, HealthDetailController } from './health.controller';
import { HealthService } from './health.service';

/** Scheduled and passive health of provider credentials and proxies (`/api/health`, `/health/detail`). */
@Module({
  imports: [TypeOrmModule.forFeature([HealthCheck]), ProvidersModule, ProxyPoolModule, RoutingModule],
  controllers: [HealthController, HealthDetailController],
  providers: [HealthService],
  exports: [HealthService],
})
export class HealthModule {}
