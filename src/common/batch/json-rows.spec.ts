import { Column, encodeInSlices, jsonRowsEncoder, jsonRowsSelect } from './json-rows';

interface Row {
  id: string;
  n: number | null;
  tags: string[];
  meta: unknown;
  at: Date;
}

const COLUMNS: Column<Row>[] = [
  ['id', 'id', 'uuid'],
  ['n', 'n', 'int'],
  ['tags', 'tags', 'text[]'],
  ['meta', 'meta', 'jsonb'],
  ['at', 'created_at', 'timestamptz'],
];

describe('json-rows', () => {
  it('selects every column by position, with its type, from one jsonb parameter', () => {
    expect(jsonRowsSelect<Row>(COLUMNS)).toBe(
      'SELECT (e->>0)::uuid AS id, (e->>1)::int AS n, ' +
        "ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(e->2) = 'array' THEN e->2 END)) AS tags, " +
        "NULLIF(e->3, 'null'::jsonb) AS meta, to_timestamp((e->>4)::float8 / 1000) AS created_at " +
        'FROM jsonb_array_elements($1::jsonb) AS j(e)',
    );
  });

  it('encodes rows as one JSON array of value arrays in column order (dates as epoch ms, missing as null)', () => {
    const at = new Date('2026-11-25T10:00:00.000Z');
    const encode = jsonRowsEncoder(COLUMNS);
    expect(
      JSON.parse(
        encode([{ id: 'a', n: 1, tags: ['x'], meta: { k: 1 }, at }, { id: 'b', n: null } as unknown as Row]),
      ),
    ).toEqual([
      ['a', 1, ['x'], { k: 1 }, at.getTime()],
      ['b', null, null, null, null],
    ]);
  });

  type Text = { s: string; t: string; u: string; v: string[] };
  const TEXT: Column<Text>[] = [
    ['s', 's', 'text'],
    ['t', 't', 'text'],
    ['u', 'u', 'text'],
    ['v', 'v', 'text[]'],
  ];

  it('replaces NUL and lone surrogates, which jsonb refuses, and keeps everything else', () => {
    const json = jsonRowsEncoder(TEXT)([
      { s: 'a\u0000b', t: 'x\ud800y', u: 'ok 😀 \\u0000 literal', v: ['\udc00'] },
    ]);
    expect(JSON.parse(json)).toEqual([['a\uFFFDb', 'x\uFFFDy', 'ok 😀 \\u0000 literal', ['\uFFFD']]]);
  });

  it('leaves clean rows untouched (the fast path)', () => {
    const row = { s: 'plain', t: 'é 😀', u: 'tab\there', v: [] };
    expect(jsonRowsEncoder(TEXT)([row])).toBe(JSON.stringify([['plain', 'é 😀', 'tab\there', []]]));
  });

  it('reads any property name, quotes and backslashes included, as data (not as code)', () => {
    type Odd = { 'a"b': number; 'c\\d': string; "e'); throw 1; ('": boolean };
    const cols: Column<Odd>[] = [
      ['a"b', 'x', 'int'],
      ['c\\d', 'y', 'text'],
      ["e'); throw 1; ('", 'z', 'boolean'],
    ];
    const row = { 'a"b': 1, 'c\\d': 'two', "e'); throw 1; ('": true } as Odd;
    expect(JSON.parse(jsonRowsEncoder(cols)([row]))).toEqual([[1, 'two', true]]);
  });

  it('encodes a large batch slice by slice, into the same text as in one go', async () => {
    const encode = jsonRowsEncoder(COLUMNS);
    const at = new Date('2026-11-25T10:00:00.000Z');
    const rows = Array.from({ length: 250 }, (_, i) => ({ id: `r${i}`, n: i, tags: [], meta: null, at }));
    const turns: number[] = [];
    const text = await encodeInSlices((r: readonly Row[]) => (turns.push(r.length), encode(r)), rows, 100);
    expect(text).toBe(encode(rows));
    expect(turns).toEqual([100, 100, 50]);
    expect(await encodeInSlices(encode, rows.slice(0, 3), 100)).toBe(encode(rows.slice(0, 3)));
  });
});
