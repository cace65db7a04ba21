import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Provider, ProviderCredential } from './provider.entity';
import { ProviderProbe } from './provider-probe.service';
import { ProvidersController } from './providers.controller';
import { ProvidersService } from './providers.service';
import { ProxyPoolModule } from '../proxy-pool/proxy-pool.module';
import { AppConfig } from '../config/app-config';
import { configureUpstreamPool } from './adapters/upstream-pool';

@Module({
  imports: [TypeOrmModule.forFeature([Provider, ProviderCredential]), ProxyPoolModule],
  controllers: [ProvidersController],
  providers: [ProvidersService, ProviderProbe],
  exports: [ProvidersService, ProviderProbe],
})
export class ProvidersModule {
  /**
   * The upstream connection cap (UPSTREAM_MAX_CONNECTIONS) is set here, when the module is made: Nest
   * makes every module and provider before any `onModuleInit`, where the proxy pool makes its dispatchers.
   */
  constructor(config: AppConfig) {
    configureUpstreamPool(config.upstreamMaxConnections);
  }
}
