import { Injectable, MiddlewareConsumer, Module, NestMiddleware, NestModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { defaultWebDist, WebUi } from './web-ui';

@Injectable()
export class WebUiMiddleware implements NestMiddleware {
  private readonly ui: WebUi;

  constructor(config: AppConfig) {
    this.ui = new WebUi(config.webDistDir ?? defaultWebDist());
  }

  use(req: Request, res: Response, next: NextFunction): void {
    if (!this.ui.handle(req, res)) next();
  }
}

/** Serves the built dashboard (`web/dist`) at `/` with a single-page-app fallback. */
@Module({ providers: [WebUiMiddleware] })
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WebUiMiddleware).forRoutes('{*path}');
  }
}
