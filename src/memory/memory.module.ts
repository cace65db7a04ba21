import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { RoutingModule } from '../routing/routing.module';
import { MemoryRetention } from './memory-retention.service';
import { MemoryService } from './memory.service';
import { SessionLocks } from './session-lock';
import { SessionSummarizer } from './session-summarizer.service';
import { Session, SessionMessage } from './session.entity';
import { AdminSessionsController, SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

/** Server-side conversation sessions (issue 7): storage, the gateway hooks and the two APIs. */
@Module({
  imports: [TypeOrmModule.forFeature([Session, SessionMessage]), ApiKeysModule, RoutingModule],
  controllers: [SessionsController, AdminSessionsController],
  providers: [MemoryService, SessionsService, SessionLocks, MemoryRetention, SessionSummarizer],
  exports: [MemoryService, SessionsService, MemoryRetention, SessionSummarizer],
})
export class MemoryModule {}
