import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AuthUser, IS_PUBLIC, ROLES } from './decorators';
import type { UserRole } from '../users/user.entity';

/** Global: every route needs a valid JWT unless it is marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<T>(err: unknown, user: T): T {
    // Errors from validate() (e.g. the database is unreachable) pass through to the exception filter.
    if (err) throw err;
    if (!user) throw new UnauthorizedException('A valid bearer token is required');
    return user;
  }
}

/**
 * Global: `@Roles(...)` when given; otherwise anyone signed in may read (GET/HEAD) and only admins may
 * write. `viewer` is read-only everywhere.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const user = req.user;
    if (!user) return false;
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    const reading = req.method === 'GET' || req.method === 'HEAD';
    if (user.role === 'viewer' && !reading && !roles?.includes('viewer')) {
      throw new ForbiddenException('Viewers have read-only access');
    }
    if (roles ? !roles.includes(user.role) : !reading && user.role !== 'admin') {
      throw new ForbiddenException('Your role does not allow this');
    }
    return true;
  }
}
