import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import helmet from 'helmet';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { rejectDeepJson } from './common/http/json-depth';
import { AppConfig } from './config/app-config';
import { GatewayListener } from './gateway/gateway-listener';
import { httpLogger } from './logger.options';
import { addGatewayPaths } from './gateway/gateway.openapi';

export function buildOpenApi(app: INestApplication) {
  const doc = new DocumentBuilder()
    .setTitle('LLM Router Platform')
    .setDescription(
      'Self-hosted LLM gateway. `/api/*` is the admin API (JWT from `POST /api/auth/login`); ' +
        '`/v1/*` is the gateway API for clients (an `sk-…` API key as `Authorization: Bearer`, `x-api-key`, ' +
        '`x-goog-api-key` or `?key=`).',
    )
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Admin API access token' },
      'jwt',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Gateway API key (sk-…)' }, 'api-key')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'Gateway API key, Anthropic style' },
      'x-api-key',
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'x-goog-api-key', description: 'Gateway API key, Gemini style' },
      'x-goog-api-key',
    )
    .build();
  return addGatewayPaths(SwaggerModule.createDocument(app, doc));
}

/** Builds the configured application (not yet listening). Used by `main.ts` and the e2e tests. */
export async function createApp(env?: Record<string, string | undefined>): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env), {
    // Start-up errors are reported by the caller (main.ts prints one line); after start, pino logs.
    logger: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  const config = app.get(AppConfig);
  app.set('trust proxy', config.trustProxySetting);
  app.disable('x-powered-by');
  app.use(httpLogger(config));
  // Security headers for the dashboard, Swagger and the admin API (the /v1 hot path never reaches Express).
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Swagger UI and the dashboard load only their own scripts; charts and toasts set inline styles.
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'connect-src': ["'self'"],
          'upgrade-insecure-requests': null,
        },
      },
      crossOriginEmbedderPolicy: false,
      // The gateway is often reached over plain HTTP inside a network; HSTS belongs to the TLS proxy.
      strictTransportSecurity: false,
    }),
  );
  app.useBodyParser('json', { limit: '1mb' });
  app.use(rejectDeepJson);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();
  // The /v1 gateway runs on a raw node:http listener in front of Express (see gateway-listener.ts).
  app.get(GatewayListener).install(app.getHttpServer());
  if (config.swaggerEnabled) {
    SwaggerModule.setup('docs', app, () => buildOpenApi(app), {
      jsonDocumentUrl: 'docs-json',
      customSiteTitle: 'LLM Router Platform API',
    });
  }
  for (const name of config.generatedSecrets) {
    app
      .get(Logger)
      .warn(
        `${name} was not set: generated one and saved it to ${config.dataDir}/secrets.json. Set it explicitly in production.`,
      );
  }
  return app;
}
