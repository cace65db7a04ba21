import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { ProvidersModule } from '../providers/providers.module';
import { RoutingService } from './routing.service';

@Module({
  imports: [ModelsModule, ProvidersModule],
  providers: [RoutingService],
  exports: [RoutingService],
})
export class RoutingModule {}
