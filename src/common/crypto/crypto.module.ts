import { Global, Module } from '@nestjs/common';
import { SecretBoxService } from './secret-box';

/** AES-256-GCM sealing of secrets at rest with ENCRYPTION_KEY (provider keys, proxy and channel secrets). */
@Global()
@Module({
  providers: [SecretBoxService],
  exports: [SecretBoxService],
})
export class CryptoModule {}
