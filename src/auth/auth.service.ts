import {
  ForbiddenException,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, IsNull, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { MeView, TokenPairView } from './dto/auth.dto';
import { RefreshToken } from './refresh-token.entity';

export interface JwtPayload {
  sub: string;
  email: string;
  role: User['role'];
  tid: string;
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
  ) {
    // An admin resetting a password or disabling a user ends that user's sessions.
    users.onCredentialsChanged((userId) => this.revokeAll(userId));
  }

  private async revokeAll(userId: string): Promise<void> {
    await this.tokens.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Creates the ADMIN_EMAIL admin on first run when it is configured and absent. */
  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.admin;
    if (!admin) {
      if ((await this.users.count()) === 0) {
        this.logger.warn(
          'No users yet: create the first admin with POST /api/auth/setup (or set ADMIN_EMAIL/ADMIN_PASSWORD)',
        );
      }
      return;
    }
    await this.dataSource.transaction(async (m) => {
      await m.query('LOCK TABLE users IN EXCLUSIVE MODE');
      if (await m.exists(User, { where: { email: admin.email } })) return;
      await this.users.create({ email: admin.email, password: admin.password, role: 'admin' }, m);
      this.logger.log(`Created the bootstrap admin ${admin.email} from ADMIN_EMAIL`);
    });
  }

  async setupRequired(): Promise<boolean> {
    return (await this.users.count()) === 0;
  }

  /** Creates the first admin; refused once any user exists (also under concurrent calls). */
  async setup(email: string, password: string, client: ClientInfo): Promise<TokenPairView> {
    const user = await this.dataSource.transaction(async (m) => {
      await m.query('LOCK TABLE users IN EXCLUSIVE MODE');
      if ((await this.users.count(m)) > 0)
        throw new ForbiddenException('Setup is already done: sign in instead');
      return this.users.create({ email, password, role: 'admin' }, m);
    });
    this.logger.log(`First admin ${user.email} created through /api/auth/setup`);
    return this.issue(user, randomUUID(), client);
  }

  async login(email: string, password: string, client: ClientInfo): Promise<TokenPairView> {
    const user = await this.users.findByEmailWithPassword(email);
    const ok = await this.users.verifyPassword(
      password,
      user?.passwordHash ?? (await this.users.dummyHash()),
    );
    if (!user || !ok || user.disabled) throw new UnauthorizedException('Invalid email or password');
    await this.users.touchLogin(user.id);
    return this.issue(user, randomUUID(), client);
  }

  /**
   * Rotates a refresh token: the presented one is revoked and a new one issued in the same family.
   * A token presented after it was revoked means it was stolen or replayed: the family is revoked.
   */
  async refresh(token: string, client: ClientInfo): Promise<TokenPairView> {
    const hash = sha256(token);
    const row = await this.tokens.findOne({ where: { tokenHash: hash } });
    if (!row) throw new UnauthorizedException('Invalid refresh token');
    if (row.revokedAt) {
      await this.tokens.update({ familyId: row.familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
      this.logger.warn(`Revoked refresh token reused for user ${row.userId}; its session family was revoked`);
      throw new UnauthorizedException('Refresh token was revoked');
    }
    if (row.expiresAt.getTime() <= Date.now()) throw new UnauthorizedException('Refresh token expired');
    // Only one concurrent refresh can win the update of a still-valid row.
    const res = await this.tokens.update({ id: row.id, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!res.affected) throw new UnauthorizedException('Refresh token was revoked');
    const user = await this.users.getActive(row.userId);
    if (!user) throw new UnauthorizedException('User is disabled');
    return this.issue(await this.users.findOne(user.id), row.familyId, client);
  }

  /** Revokes the session (refresh-token family) the token belongs to. Idempotent. */
  async logout(token: string): Promise<void> {
    const row = await this.tokens.findOne({ where: { tokenHash: sha256(token) } });
    if (row)
      await this.tokens.update({ familyId: row.familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async changePassword(userId: string, current: string, next: string): Promise<void> {
    const me = await this.users.findOne(userId);
    const user = await this.users.findByEmailWithPassword(me.email);
    if (!user || !(await this.users.verifyPassword(current, user.passwordHash))) {
      throw new UnauthorizedException('Current password is wrong');
    }
    await this.users.setPassword(userId, next);
    await this.revokeAll(userId);
  }

  private async issue(user: User, familyId: string, client: ClientInfo): Promise<TokenPairView> {
    const payload: JwtPayload = { sub: user.id, email: user.email, role: user.role, tid: user.tenantId };
    const accessToken = await this.jwt.signAsync(payload, { expiresIn: this.config.jwtAccessTtl });
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    const refreshExpiresAt = new Date(Date.now() + this.config.jwtRefreshTtl * 1000);
    await this.tokens.insert({
      userId: user.id,
      tokenHash: sha256(refreshToken),
      familyId,
      expiresAt: refreshExpiresAt,
      revokedAt: null,
      ip: client.ip?.slice(0, 64) ?? null,
      userAgent: client.userAgent?.slice(0, 200) ?? null,
    });
    const me: MeView = { id: user.id, email: user.email, role: user.role, tenantId: user.tenantId };
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.config.jwtAccessTtl,
      refreshToken,
      refreshExpiresAt,
      user: me,
    };
  }
}
