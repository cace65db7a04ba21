import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Provider, ProviderCredential } from './provider.entity';
import { ProviderProbe } from './provider-probe.service';
import { ProvidersController } from './providers.controller';
import { ProvidersService } from './providers.service';

@Module({
  imports: [TypeOrmModule.forFeature([Provider, ProviderCredential])],
  controllers: [ProvidersController],
  providers: [ProvidersService, ProviderProbe],
  exports: [ProvidersService, ProviderProbe],
})
export class ProvidersModule {}
