import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { CryptoModule } from './crypto.module';
import { SecretBox, SecretBoxService } from './secret-box';

const key = randomBytes(32);

@Global()
@Module({ providers: [{ provide: AppConfig, useValue: { encryptionKey: key } }], exports: [AppConfig] })
class FakeConfigModule {}

describe('CryptoModule', () => {
  it('provides a SecretBox keyed with ENCRYPTION_KEY', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [FakeConfigModule, CryptoModule] }).compile();
    const box = moduleRef.get(SecretBoxService);
    const sealed = box.encrypt('provider-key');
    expect(new SecretBox(key).decrypt(sealed)).toBe('provider-key');
  });
});
