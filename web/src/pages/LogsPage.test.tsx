import { describe, expect, it } from 'vitest';
import { toQuery } from './LogsPage';

describe('logs filters → query', () => {
  it('drops empty filters and converts times to ISO', () => {
    expect(
      toQuery({ from: '', to: '', model: ' ', providerId: '', apiKeyId: '', outcome: '', status: '' }, 1, 25),
    ).toEqual({ page: 1, pageSize: 25 });
    const q = toQuery(
      {
        from: '2026-11-25T10:00',
        to: '',
        model: ' gpt-4o ',
        providerId: 'p1',
        apiKeyId: 'k1',
        outcome: 'error',
        status: '429',
      },
      3,
      25,
    );
    expect(q).toEqual({
      from: new Date('2026-11-25T10:00').toISOString(),
      model: 'gpt-4o',
      providerId: 'p1',
      apiKeyId: 'k1',
      outcome: 'error',
      status: 429,
      page: 3,
      pageSize: 25,
    });
  });

  it('ignores a status that is not a 3-digit code', () => {
    expect(
      toQuery(
        { from: '', to: '', model: '', providerId: '', apiKeyId: '', outcome: '', status: '4x' },
        1,
        10,
      ),
    ).toEqual({ page: 1, pageSize: 10 });
  });
});
