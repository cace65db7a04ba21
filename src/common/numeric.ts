/** `numeric` columns come back from `pg` as strings; this TypeORM transformer keeps them numbers. */
export const numericTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null || v === undefined ? null : Number(v)),
};
