import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BatchWriter, unnestInsert } from '../common/batch/batch-writer';
import { RequestLog } from './request-log.entity';

export type NewRequestLog = Omit<RequestLog, 'id'>;

/** Column → SQL type for the batch insert (`unnestInsert`). */
const COLUMNS: [keyof NewRequestLog, string, string][] = [
  ['createdAt', 'created_at', 'timestamptz'],
  ['requestId', 'request_id', 'varchar'],
  ['protocol', 'protocol', 'varchar'],
  ['endpoint', 'endpoint', 'varchar'],
  ['apiKeyId', 'api_key_id', 'uuid'],
  ['userId', 'user_id', 'uuid'],
  ['tenantId', 'tenant_id', 'uuid'],
  ['model', 'model', 'varchar'],
  ['providerId', 'provider_id', 'uuid'],
  ['providerName', 'provider_name', 'varchar'],
  ['upstreamModel', 'upstream_model', 'varchar'],
  ['attempts', 'attempts', 'jsonb'],
  ['status', 'status', 'int'],
  ['stream', 'stream', 'boolean'],
  ['latencyMs', 'latency_ms', 'int'],
  ['ttftMs', 'ttft_ms', 'int'],
  ['inputTokens', 'input_tokens', 'int'],
  ['outputTokens', 'output_tokens', 'int'],
  ['cachedTokens', 'cached_tokens', 'int'],
  ['reasoningTokens', 'reasoning_tokens', 'int'],
  ['costUsd', 'cost_usd', 'numeric'],
  ['usageEstimated', 'usage_estimated', 'boolean'],
  ['clientIp', 'client_ip', 'varchar'],
  ['userAgent', 'user_agent', 'varchar'],
  ['error', 'error', 'text'],
  ['droppedFields', 'dropped_fields', 'text[]'],
  ['requestBody', 'request_body', 'text'],
  ['responseBody', 'response_body', 'text'],
];

const INSERT = unnestInsert<NewRequestLog>('request_logs', COLUMNS);

/** Inserts rows with one statement. */
export async function insertRequestLogs(repo: Repository<RequestLog>, rows: NewRequestLog[]): Promise<void> {
  await repo.query(INSERT.sql, INSERT.params(rows));
}

/** Buffers request log rows and writes them in batches off the request path (see BatchWriter). */
@Injectable()
export class LogWriter extends BatchWriter<NewRequestLog> {
  protected readonly logger = new Logger('LogWriter');
  protected readonly what = 'request log rows';

  constructor(@InjectRepository(RequestLog) private readonly logs: Repository<RequestLog>) {
    super();
  }

  protected write(rows: NewRequestLog[]): Promise<void> {
    return insertRequestLogs(this.logs, rows);
  }
}
