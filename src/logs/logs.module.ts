import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LogRetention } from './log-retention.service';
import { LogWriter } from './log-writer.service';
import { DashboardController, LogsController } from './logs.controller';
import { LogsService } from './logs.service';
import { RequestLog } from './request-log.entity';
import { RequestRollup } from './request-rollup.entity';

@Module({
  imports: [TypeOrmModule.forFeature([RequestLog, RequestRollup])],
  controllers: [LogsController, DashboardController],
  providers: [LogsService, LogWriter, LogRetention],
  exports: [LogWriter, LogsService, LogRetention],
})
export class LogsModule {}
