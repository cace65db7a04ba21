import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config';
import { UsersService } from '../users/users.service';
import type { JwtPayload } from './auth.service';
import type { AuthUser } from './decorators';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      secretOrKey: config.jwtSecret,
      algorithms: ['HS256'],
    });
  }

  /** Disabled or deleted users lose access at once, not when their token expires. */
  async validate(payload: JwtPayload): Promise<AuthUser> {
    const user = await this.users.getActive(payload.sub);
    if (!user) throw new UnauthorizedException('User is disabled or no longer exists');
    return user;
  }
}
