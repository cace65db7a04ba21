import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigTransferController } from './config-transfer.controller';
import { ConfigTransferService } from './config-transfer.service';
import { Model, ModelRoute } from './model.entity';
import { ModelRoutesController, ModelsController } from './models.controller';
import { ModelsService } from './models.service';

@Module({
  imports: [TypeOrmModule.forFeature([Model, ModelRoute])],
  controllers: [ModelsController, ModelRoutesController, ConfigTransferController],
  providers: [ModelsService, ConfigTransferService],
  exports: [ModelsService],
})
export class ModelsModule {}
