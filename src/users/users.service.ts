import { ConflictException, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as bcrypt from 'bcryptjs';
import { EntityManager, Repository } from 'typeorm';
import { CacheBus } from '../common/redis/cache-bus.service';
import { AppConfig } from '../config/app-config';
import { Tenant } from './tenant.entity';
import { User, UserRole } from './user.entity';
import { CreateUserDto, UpdateUserDto } from './dto/user.dto';

export const DEFAULT_TENANT = 'default';

export interface ActiveUser {
  id: string;
  email: string;
  role: UserRole;
  tenantId: string;
}

const TOPIC_USER = 'user';

/**
 * Users and their tenants. Keeps a small cache of active users so auth guards need no query per
 * request; a change to a user drops it on every instance (cache bus).
 */
@Injectable()
export class UsersService implements OnModuleInit {
  private readonly active = new Map<string, { user: ActiveUser | null; at: number }>();
  private static readonly CACHE_MS = 30_000;
  private readonly listeners: ((userId: string) => void)[] = [];
  private readonly credentialListeners: ((userId: string) => Promise<void>)[] = [];

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Tenant) private readonly tenants: Repository<Tenant>,
    private readonly config: AppConfig,
    private readonly bus: CacheBus,
  ) {}

  onModuleInit(): void {
    this.bus.on(TOPIC_USER, (userId) => {
      this.active.delete(userId);
      for (const l of this.listeners) l(userId);
    });
  }

  hashPassword(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.bcryptRounds);
  }

  private dummy?: Promise<string>;
  /** A hash to compare against when the email is unknown, so timing does not reveal which emails exist. */
  dummyHash(): Promise<string> {
    return (this.dummy ??= bcrypt.hash('not-a-password', this.config.bcryptRounds));
  }

  verifyPassword(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /** Runs on every instance when a user changes (disabled, role, deleted), to drop cached state. */
  onUserChanged(listener: (userId: string) => void): void {
    this.listeners.push(listener);
  }

  /** Runs (once, here) when a user's password is reset or the user is disabled: sessions must end. */
  onCredentialsChanged(listener: (userId: string) => Promise<void>): void {
    this.credentialListeners.push(listener);
  }

  private changed(userId: string): Promise<void> {
    return this.bus.publish(TOPIC_USER, userId);
  }

  count(manager: EntityManager = this.users.manager): Promise<number> {
    return manager.count(User);
  }

  async defaultTenant(manager: EntityManager = this.users.manager): Promise<Tenant> {
    const found = await manager.findOne(Tenant, { where: { name: DEFAULT_TENANT } });
    if (found) return found;
    await manager
      .createQueryBuilder()
      .insert()
      .into(Tenant)
      .values({ name: DEFAULT_TENANT })
      .orIgnore()
      .execute();
    return manager.findOneOrFail(Tenant, { where: { name: DEFAULT_TENANT } });
  }

  findByEmailWithPassword(email: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: email.toLowerCase() })
      .getOne();
  }

  async findOne(id: string): Promise<User> {
    const user = await this.users.findOne({ where: { id } });
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  /** The user if it exists and is not disabled; cached briefly and dropped on change. */
  async getActive(id: string): Promise<ActiveUser | null> {
    const hit = this.active.get(id);
    if (hit && Date.now() - hit.at < UsersService.CACHE_MS) return hit.user;
    const u = await this.users.findOne({ where: { id } });
    const user = u && !u.disabled ? { id: u.id, email: u.email, role: u.role, tenantId: u.tenantId } : null;
    this.active.set(id, { user, at: Date.now() });
    return user;
  }

  list(): Promise<User[]> {
    return this.users.find({ order: { createdAt: 'ASC' } });
  }

  async create(dto: CreateUserDto, manager: EntityManager = this.users.manager): Promise<User> {
    const email = dto.email.toLowerCase();
    if (await manager.exists(User, { where: { email } })) throw new ConflictException('Email already in use');
    const tenantId = dto.tenantId ?? (await this.defaultTenant(manager)).id;
    if (dto.tenantId && !(await manager.exists(Tenant, { where: { id: dto.tenantId } }))) {
      throw new NotFoundException('Tenant not found');
    }
    const user = manager.create(User, {
      email,
      passwordHash: await this.hashPassword(dto.password),
      role: dto.role ?? 'member',
      tenantId,
      disabled: false,
      lastLoginAt: null,
    });
    const saved = await manager.save(user);
    return this.findOneWith(manager, saved.id);
  }

  private async findOneWith(manager: EntityManager, id: string): Promise<User> {
    return manager.findOneOrFail(User, { where: { id } });
  }

  async update(id: string, dto: UpdateUserDto): Promise<User> {
    const user = await this.findOne(id);
    if (dto.role !== undefined) user.role = dto.role;
    if (dto.disabled !== undefined) user.disabled = dto.disabled;
    if (dto.tenantId !== undefined) {
      if (!(await this.tenants.exists({ where: { id: dto.tenantId } })))
        throw new NotFoundException('Tenant not found');
      user.tenantId = dto.tenantId;
    }
    if (dto.password !== undefined) {
      await this.users.update(id, { passwordHash: await this.hashPassword(dto.password) });
    }
    await this.users.save(user);
    if (dto.password !== undefined || dto.disabled === true) {
      for (const l of this.credentialListeners) await l(id);
    }
    await this.changed(id);
    return this.findOne(id);
  }

  async setPassword(id: string, password: string): Promise<void> {
    await this.users.update(id, { passwordHash: await this.hashPassword(password) });
  }

  async touchLogin(id: string): Promise<void> {
    await this.users.update(id, { lastLoginAt: new Date() });
  }

  async remove(id: string): Promise<void> {
    await this.findOne(id);
    await this.users.delete(id);
    await this.changed(id);
  }
}
