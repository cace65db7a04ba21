/** Something that runs SQL: a DataSource, an EntityManager or a Repository. */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Deletes the rows of `table` that match `where` (SQL over its columns, with `params` as $1…), at most
 * `chunk` per statement, until none are left; returns how many. Each statement is short, so a
 * retention job never holds long locks or a long transaction on a table the gateway writes to.
 */
export async function deleteInChunks(
  db: Queryable,
  table: string,
  where: string,
  params: unknown[],
  chunk: number,
): Promise<number> {
  const limit = Math.max(1, Math.floor(chunk));
  let total = 0;
  for (;;) {
    const res = (await db.query(
      `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE (${where}) LIMIT ${limit})`,
      params,
    )) as [unknown[], number] | { affected?: number };
    // TypeORM answers a DELETE with [rows, count] on PostgreSQL (and { affected } elsewhere).
    const affected = Array.isArray(res) ? Number(res[1] ?? 0) : Number(res.affected ?? 0);
    total += affected;
    if (affected < limit) return total;
  }
}
