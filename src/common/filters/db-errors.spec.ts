import { QueryFailedError } from 'typeorm';
import { isDbConnectionError, isUniqueViolation } from './db-errors';

describe('isDbConnectionError', () => {
  it('recognises pg connection failures, wrapped or not', () => {
    expect(
      isDbConnectionError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(isDbConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDbConnectionError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    const wrapped = new QueryFailedError(
      'SELECT 1',
      [],
      Object.assign(new Error('terminating connection'), { code: '57P01' }),
    );
    expect(isDbConnectionError(wrapped)).toBe(true);
  });

  it('does not treat query errors as connection errors', () => {
    const syntax = new QueryFailedError(
      'SELEC 1',
      [],
      Object.assign(new Error('syntax error'), { code: '42601' }),
    );
    expect(isDbConnectionError(syntax)).toBe(false);
    expect(isDbConnectionError(undefined)).toBe(false);
    expect(isDbConnectionError('x')).toBe(false);
  });
});

describe('isUniqueViolation', () => {
  it('detects 23505', () => {
    expect(
      isUniqueViolation(
        new QueryFailedError('INSERT', [], Object.assign(new Error('dup'), { code: '23505' })),
      ),
    ).toBe(true);
    expect(isUniqueViolation(new Error('x'))).toBe(false);
  });
});
