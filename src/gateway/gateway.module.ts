import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { LogsModule } from '../logs/logs.module';
import { MemoryModule } from '../memory/memory.module';
import { RoutingModule } from '../routing/routing.module';
import { GatewayListener } from './gateway-listener';
import { GatewayService } from './gateway.service';

@Module({
  imports: [ApiKeysModule, RoutingModule, LogsModule, MemoryModule],
  providers: [GatewayService, GatewayListener],
  exports: [GatewayListener],
})
export class GatewayModule {}
