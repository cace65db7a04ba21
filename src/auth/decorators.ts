import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { UserRole } from '../users/user.entity';

export const IS_PUBLIC = 'auth:isPublic';
export const ROLES = 'auth:roles';

/** The route needs no JWT (login, setup, health, and the `/v1` API that uses API keys instead). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Roles allowed on the route. Without it, any signed-in user may read (GET) and only admins may
 * change things.
 */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

/** What the JWT guard puts on `req.user`. */
export interface AuthUser {
  id: string;
  email: string;
  role: UserRole;
  tenantId: string;
}

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
