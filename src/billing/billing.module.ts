import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from '../api-keys/api-key.entity';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { Tenant } from '../users/tenant.entity';
import { User } from '../users/user.entity';
import { BillingService } from './billing.service';
import { Budget } from './budget.entity';
import { BudgetsController } from './budgets.controller';
import { BudgetsService } from './budgets.service';
import { counterStoreProvider } from './counter-store.provider';
import { IpLockService } from './ip-lock.service';
import { Price } from './price.entity';
import { PricesController } from './prices.controller';
import { PricesService } from './prices.service';
import { RateLimitsService } from './rate-limits.service';
import { ReportsController, UsageController } from './reports.controller';
import { LedgerRetention } from './ledger-retention.service';
import { ReportsService } from './reports.service';
import { UsageRollup } from './usage-rollup.entity';

/**
 * Billing: the price table, the usage ledger, budgets with reservations, RPM/TPM limits, the bad-key
 * IP lock-out, and the usage / billing reports. The gateway calls `BillingService` (admit, settle),
 * `IpLockService` and nothing else.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Price, Budget, UsageRollup, ApiKey, User, Tenant]), ApiKeysModule],
  controllers: [PricesController, BudgetsController, ReportsController, UsageController],
  providers: [
    counterStoreProvider,
    PricesService,
    BudgetsService,
    RateLimitsService,
    IpLockService,
    BillingService,
    ReportsService,
    LedgerRetention,
  ],
  exports: [BillingService, IpLockService, PricesService],
})
export class BillingModule {}
