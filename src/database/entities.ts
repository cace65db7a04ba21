import { ApiKey } from '../api-keys/api-key.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import { RequestLog } from '../logs/request-log.entity';
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
  Proxy,
  HealthCheck,
];
