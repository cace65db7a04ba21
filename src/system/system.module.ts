import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { ModelsModule } from '../models/models.module';
import { ProvidersModule } from '../providers/providers.module';
import { RoutingModule } from '../routing/routing.module';
import { UsersModule } from '../users/users.module';
import { DemoService } from './demo.service';
import { SystemController } from './system.controller';
import { SystemService } from './system.service';

@Module({
  imports: [UsersModule, ApiKeysModule, ProvidersModule, ModelsModule, RoutingModule],
  controllers: [SystemController],
  providers: [SystemService, DemoService],
})
export class SystemModule {}
