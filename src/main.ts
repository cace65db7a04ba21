import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory';
import { AppConfig } from './config/app-config';
import { ConfigValidationError, validateEnv } from './config/env.validation';
import { DataDirLockedError } from './database/embedded-postgres';

async function bootstrap(): Promise<void> {
  // Validate before Nest starts, so a bad value is one readable line rather than a logged stack trace.
  // (@nestjs/config validates the same way again inside the app.)
  if (existsSync('.env')) process.loadEnvFile('.env');
  validateEnv(process.env);

  const app = await createApp();
  const config = app.get(AppConfig);
  await app.listen(config.port);
  const url = `http://localhost:${config.port}`;
  app.get(Logger).log(`LLM Router Platform listening on ${url} — API docs at ${url}/docs`, 'Bootstrap');
}

bootstrap().catch((e: unknown) => {
  // Problems the operator can fix get one readable line, not a stack trace.
  if (e instanceof ConfigValidationError || e instanceof DataDirLockedError) {
    console.error(e.message);
  } else if (
    e instanceof Error &&
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|password authentication failed|(database|role) "[^"]*" does not exist/.test(
      e.message,
    )
  ) {
    console.error(`Cannot connect to the database: ${e.message}`);
  } else {
    console.error(e);
  }
  process.exit(1);
});
