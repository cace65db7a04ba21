import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Model, ModelRoute } from './model.entity';
import { ModelRoutesController, ModelsController } from './models.controller';
import { ModelsService } from './models.service';

@Module({
  imports: [TypeOrmModule.forFeature([Model, ModelRoute])],
  controllers: [ModelsController, ModelRoutesController],
  providers: [ModelsService],
  exports: [ModelsService],
})
export class ModelsModule {}
