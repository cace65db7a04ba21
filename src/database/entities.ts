import { Alert, AlertChannel, AlertDelivery, AlertRule } from '../alerts/alert.entity';
import { ApiKey } from '../api-keys/api-key.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import { Budget } from '../billing/budget.entity';
import { Price } from '../billing/price.entity';
import { UsageLedgerEntry } from '../billing/usage-ledger.entity';
import { UsageRollup } from '../billing/usage-rollup.entity';
import { RequestLog } from '../logs/request-log.entity';
import { RequestRollup } from '../logs/request-rollup.entity';
import { Session, SessionMessage } from '../memory/session.entity';
import { Model, ModelRoute } from '../models/model.entity';
import { Provider, ProviderCredential } from '../providers/provider.entity';
import { Tenant } from '../users/tenant.entity';
import { User } from '../users/user.entity';
import { Proxy } from '../proxy-pool/proxy.entity';
import { HealthCheck } from '../health/health-check.entity';

/** Every entity of the schema: the app and the migration CLI load the same list. */
export const entities = [
  Tenant,
  User,
  RefreshToken,
  ApiKey,
  Provider,
  ProviderCredential,
  Model,
  ModelRoute,
  RequestLog,
  RequestRollup,
  Price,
  Budget,
  UsageLedgerEntry,
  UsageRollup,
  Session,
  SessionMessage,
  AlertChannel,
  AlertRule,
  Alert,
  AlertDelivery,
  Proxy,
  HealthCheck,
];
