import { ApiKey } from '../api-keys/api-key.entity';
import { RefreshToken } from '../auth/refresh-token.entity';
import { Provider, ProviderCredential } from '../providers/provider.entity';
import { Tenant } from '../users/tenant.entity';
import { User } from '../users/user.entity';

/** Every entity of the schema: the app and the migration CLI load the same list. */
export const entities = [Tenant, User, RefreshToken, ApiKey, Provider, ProviderCredential];
