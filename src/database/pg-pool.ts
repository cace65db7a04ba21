import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The `pg` Pool behind a TypeORM PostgreSQL data source (its driver's `master`), for what TypeORM's
 * own API does not offer: named statements, pool counts. Undefined until the data source connects.
 */
export const pgPool = (ds: DataSource): Pool | undefined =>
  (ds.driver as unknown as { master?: Pool }).master;
