import { encodeJsonRows, jsonRowsInsert, jsonRowsSelect } from './json-rows';

interface Row {
  id: string;
  n: number | null;
  tags: string[];
  meta: unknown;
  at: Date;
}

describe('json-rows', () => {
  it('selects every column with its type from one jsonb parameter', () => {
    const sql = jsonRowsSelect<Row>([
      ['id', 'id', 'uuid'],
      ['n', 'n', 'int'],
      ['tags', 'tags', 'text[]'],
      ['meta', 'meta', 'jsonb'],
      ['at', 'created_at', 'timestamptz'],
    ]);
    expect(sql).toBe(
      "SELECT (e->>'id')::uuid AS id, (e->>'n')::int AS n, " +
        "ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(e->'tags') = 'array' THEN e->'tags' END)) AS tags, " +
        "NULLIF(e->'meta', 'null'::jsonb) AS meta, (e->>'at')::timestamptz AS created_at " +
        'FROM jsonb_array_elements($1::jsonb) AS j(e)',
    );
  });

  it('builds an INSERT with the conflict clause appended', () => {
    expect(jsonRowsInsert<Row>('t', [['id', 'id', 'uuid']], 'ON CONFLICT (id) DO NOTHING')).toBe(
      "INSERT INTO t (id) SELECT (e->>'id')::uuid AS id FROM jsonb_array_elements($1::jsonb) AS j(e) ON CONFLICT (id) DO NOTHING",
    );
  });

  it('encodes rows as one JSON array (dates as ISO strings)', () => {
    const at = new Date('2026-11-25T10:00:00.000Z');
    expect(
      JSON.parse(
        encodeJsonRows([
          { id: 'a', n: 1, at },
          { id: 'b', n: null },
        ]),
      ),
    ).toEqual([
      { id: 'a', n: 1, at: '2026-11-25T10:00:00.000Z' },
      { id: 'b', n: null },
    ]);
  });

  it('replaces NUL and lone surrogates, which jsonb refuses, and keeps everything else', () => {
    const rows = [{ s: 'a\u0000b', t: 'x\ud800y', u: 'ok 😀 \\u0000 literal', v: ['\udc00'] }];
    const json = encodeJsonRows(rows);
    expect(JSON.parse(json)).toEqual([
      { s: 'a\uFFFDb', t: 'x\uFFFDy', u: 'ok 😀 \\u0000 literal', v: ['\uFFFD'] },
    ]);
  });

  it('leaves clean rows untouched (the fast path)', () => {
    const rows = [{ s: 'plain', e: 'é 😀', c: 'tab\there' }];
    expect(encodeJsonRows(rows)).toBe(JSON.stringify(rows));
  });
});
