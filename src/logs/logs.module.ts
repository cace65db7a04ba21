import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LogWriter } from './log-writer.service';
import { DashboardController, LogsController } from './logs.controller';
import { LogsService } from './logs.service';
import { RequestLog } from './request-log.entity';

@Module({
  imports: [TypeOrmModule.forFeature([RequestLog])],
  controllers: [LogsController, DashboardController],
  providers: [LogsService, LogWriter],
  exports: [LogWriter, LogsService],
})
export class LogsModule {}
