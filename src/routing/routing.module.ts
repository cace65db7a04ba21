import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { ModelsModule } from '../models/models.module';
import { ProvidersModule } from '../providers/providers.module';
import { RoutingService } from './routing.service';

@Module({
  imports: [ModelsModule, ProvidersModule, BillingModule],
  providers: [RoutingService],
  exports: [RoutingService],
})
export class RoutingModule {}
