import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Provider, ProviderCredential } from './provider.entity';
import { ProviderProbe } from './provider-probe.service';
import { ProvidersController } from './providers.controller';
import { ProvidersService } from './providers.service';
import { ProxyPoolModule } from '../proxy-pool/proxy-pool.module';

@Module({
  imports: [TypeOrmModule.forFeature([Provider, ProviderCredential]), ProxyPoolModule],
  controllers: [ProvidersController],
  providers: [ProvidersService, ProviderProbe],
  exports: [ProvidersService, ProviderProbe],
})
export class ProvidersModule {}
