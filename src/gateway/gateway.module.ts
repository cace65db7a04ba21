import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { BillingModule } from '../billing/billing.module';
import { LogsModule } from '../logs/logs.module';
import { MemoryModule } from '../memory/memory.module';
import { RoutingModule } from '../routing/routing.module';
import { GatewayListener } from './gateway-listener';
import { GatewayService } from './gateway.service';

@Module({
  imports: [ApiKeysModule, RoutingModule, LogsModule, BillingModule, MemoryModule],
  providers: [GatewayService, GatewayListener],
  exports: [GatewayListener],
})
export class GatewayModule {}
