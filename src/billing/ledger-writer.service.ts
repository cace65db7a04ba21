import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { BatchWriter } from '../common/batch/batch-writer';
import { encodeJsonRows, jsonRowsInsert } from '../common/batch/json-rows';
import { AppConfig } from '../config/app-config';
import { UsageLedgerEntry } from './usage-ledger.entity';

const INSERT = jsonRowsInsert<UsageLedgerEntry>(
  'usage_ledger',
  [
    ['id', 'id', 'uuid'],
    ['createdAt', 'created_at', 'timestamptz'],
    ['requestId', 'request_id', 'varchar'],
    ['tenantId', 'tenant_id', 'uuid'],
    ['userId', 'user_id', 'uuid'],
    ['apiKeyId', 'api_key_id', 'uuid'],
    ['model', 'model', 'varchar'],
    ['providerId', 'provider_id', 'uuid'],
    ['upstreamModel', 'upstream_model', 'varchar'],
    ['inputTokens', 'input_tokens', 'int'],
    ['outputTokens', 'output_tokens', 'int'],
    ['cachedTokens', 'cached_tokens', 'int'],
    ['reasoningTokens', 'reasoning_tokens', 'int'],
    ['costUsd', 'cost_usd', 'numeric'],
    ['estimated', 'estimated', 'boolean'],
    ['priceId', 'price_id', 'uuid'],
  ],
  // The id is made by the gateway: a batch retried after a lost acknowledgement is not billed twice.
  'ON CONFLICT (id) DO NOTHING',
);

/** Buffers usage ledger rows and writes them in batches (see BatchWriter). */
@Injectable()
export class LedgerWriter extends BatchWriter<UsageLedgerEntry> {
  protected readonly logger = new Logger('LedgerWriter');
  protected readonly what = 'usage ledger rows';

  constructor(
    @InjectRepository(UsageLedgerEntry) private readonly ledger: Repository<UsageLedgerEntry>,
    config: AppConfig,
  ) {
    super(config.writeBufferMaxRows);
  }

  protected async write(rows: UsageLedgerEntry[]): Promise<void> {
    await this.ledger.query(INSERT, [encodeJsonRows(rows)]);
  }
}
