import { CanActivate, ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { extractApiKey } from './api-key-auth';
import { ApiKeysService, ResolvedApiKey } from './api-keys.service';

export type ApiKeyRequest = Request & { apiKey?: ResolvedApiKey };

/**
 * Guard for gateway routes: accepts `Authorization: Bearer`, `x-api-key`, `x-goog-api-key` and
 * `?key=`. Rejections become 401s in the caller's protocol shape (see AllExceptionsFilter).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeysService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ApiKeyRequest>();
    const result = await this.keys.authenticate(extractApiKey(req.headers, req.originalUrl ?? req.url));
    if (!result.ok) throw new HttpException({ message: result.message, code: result.code }, result.status);
    req.apiKey = result.key;
    return true;
  }
}
