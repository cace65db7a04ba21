import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ResolvedSecrets {
  jwtSecret: string;
  encryptionKey: Buffer;
  /** Names of the secrets that were generated (and persisted) on this start. */
  generated: string[];
  /** Names of the secrets that were read back from the data dir's secrets file. */
  fromFile: string[];
}

interface SecretsFile {
  JWT_SECRET?: string;
  ENCRYPTION_KEY?: string;
}

export const SECRETS_FILE = 'secrets.json';

export function decodeEncryptionKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('ENCRYPTION_KEY must decode to 32 bytes');
  return key;
}

/**
 * Returns JWT_SECRET and ENCRYPTION_KEY: from the environment when set, else from
 * `<DATA_DIR>/secrets.json`, else freshly generated and written there (mode 0600) so that
 * tokens and encrypted provider keys survive a restart.
 */
export function resolveSecrets(
  dataDir: string,
  env: { JWT_SECRET?: string; ENCRYPTION_KEY?: string },
): ResolvedSecrets {
  const file = join(dataDir, SECRETS_FILE);
  let stored: SecretsFile = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
    } catch {
      throw new Error(`${file} is not valid JSON; fix or remove it (removing it invalidates stored secrets)`);
    }
  }
  const generated: string[] = [];
  const fromFile: string[] = [];
  const makers: Record<keyof SecretsFile, () => string> = {
    JWT_SECRET: () => randomBytes(48).toString('base64url'),
    ENCRYPTION_KEY: () => randomBytes(32).toString('hex'),
  };
  const resolve = (name: keyof SecretsFile): string => {
    const fromEnv = env[name];
    if (fromEnv) return fromEnv;
    if (stored[name]) fromFile.push(name);
    else {
      stored[name] = makers[name]();
      generated.push(name);
    }
    return stored[name]!;
  };
  const jwtSecret = resolve('JWT_SECRET');
  const encryptionKey = resolve('ENCRYPTION_KEY');
  if (generated.length) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  }
  return { jwtSecret, encryptionKey: decodeEncryptionKey(encryptionKey), generated, fromFile };
}
