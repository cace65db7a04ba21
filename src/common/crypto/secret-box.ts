import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

const VERSION = 'v1';

/**
 * AES-256-GCM for secrets at rest (provider keys, proxy passwords, channel secrets).
 * Ciphertext format: `v1.<iv b64url>.<tag b64url>.<data b64url>`.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      data.toString('base64url'),
    ].join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/** `sk-proj-abcdef123456` → `sk-…3456`; short values are fully hidden. */
export function maskSecret(secret: string): string {
  if (secret.length < 12) return '****';
  const dash = secret.indexOf('-');
  const head = dash > 0 && dash <= 4 ? secret.slice(0, dash + 1) : secret.slice(0, 3);
  return `${head}…${secret.slice(-4)}`;
}

@Injectable()
export class SecretBoxService extends SecretBox {
  constructor(config: AppConfig) {
    super(config.encryptionKey);
  }
}
