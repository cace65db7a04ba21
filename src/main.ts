import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory';
import { ConfigValidationError } from './config/env.validation';
import { AppConfig } from './config/app-config';
import { DataDirLockedError } from './database/embedded-postgres';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const config = app.get(AppConfig);
  await app.listen(config.port);
  const url = `http://localhost:${config.port}`;
  app.get(Logger).log(`LLM Router Platform listening on ${url} — API docs at ${url}/docs`, 'Bootstrap');
}

bootstrap().catch((e: unknown) => {
  // Configuration and start-up problems the operator can fix get one readable line, not a stack trace.
  if (e instanceof ConfigValidationError || e instanceof DataDirLockedError) {
    console.error(e.message);
  } else if (
    e instanceof Error &&
    /ECONNREFUSED|ENOTFOUND|password authentication failed|does not exist/.test(e.message)
  ) {
    console.error(`Cannot connect to the database: ${e.message}`);
  } else {
    console.error(e);
  }
  process.exit(1);
});
