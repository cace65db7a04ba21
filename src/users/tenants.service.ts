import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuthUser } from '../auth/decorators';
import { isUniqueViolation } from '../common/filters/db-errors';
import { TenantDto, TenantView } from './dto/tenant.dto';
import { Tenant } from './tenant.entity';
import { User } from './user.entity';

/** Tenants (organisations). Admins manage all of them; everyone else sees only their own. */
@Injectable()
export class TenantsService {
  constructor(
    @InjectRepository(Tenant) private readonly tenants: Repository<Tenant>,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  /** Tenants the actor may see (admins: all; others: their own), optionally only `id`. */
  async list(actor: AuthUser, id?: string): Promise<TenantView[]> {
    if (id && actor.role !== 'admin' && id !== actor.tenantId) return [];
    const rows = await this.tenants.find({
      where: id ? { id } : actor.role === 'admin' ? {} : { id: actor.tenantId },
      order: { name: 'ASC' },
    });
    const counts: { tenant_id: string; n: string }[] = rows.length
      ? await this.users.query(
          'SELECT tenant_id, COUNT(*)::text AS n FROM users WHERE tenant_id = ANY($1) GROUP BY 1',
          [rows.map((t) => t.id)],
        )
      : [];
    const by = new Map(counts.map((c) => [c.tenant_id, Number(c.n)]));
    return rows.map((t) => ({ id: t.id, name: t.name, users: by.get(t.id) ?? 0, createdAt: t.createdAt }));
  }

  async get(actor: AuthUser, id: string): Promise<TenantView> {
    const [found] = await this.list(actor, id);
    if (!found) throw new NotFoundException('Tenant not found');
    return found;
  }

  async create(actor: AuthUser, dto: TenantDto): Promise<TenantView> {
    const saved = await this.save(this.tenants.create({ name: dto.name.trim() }));
    return this.get(actor, saved.id);
  }

  async rename(actor: AuthUser, id: string, dto: TenantDto): Promise<TenantView> {
    const t = await this.tenants.findOne({ where: { id } });
    if (!t) throw new NotFoundException('Tenant not found');
    t.name = dto.name.trim();
    await this.save(t);
    return this.get(actor, id);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.tenants.exists({ where: { id } }))) throw new NotFoundException('Tenant not found');
    if (await this.users.exists({ where: { tenantId: id } }))
      throw new ConflictException('Move or delete the users of this tenant first');
    await this.tenants.delete(id);
  }

  private async save(t: Tenant): Promise<Tenant> {
    try {
      return await this.tenants.save(t);
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictException('A tenant with this name already exists');
      throw e;
    }
  }
}
