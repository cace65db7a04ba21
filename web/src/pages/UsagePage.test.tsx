import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import UsagePage, { validatePrice } from './UsagePage';
import { useAuth } from '../stores/auth';
import { json, mockFetch, path, renderWithApp } from '../test/utils';

const report = {
  kind: 'billing',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-11-25T00:00:00.000Z',
  granularity: 'day',
  groupBy: 'model',
  rows: [
    {
      period: '2026-11-24T00:00:00.000Z',
      group: 'gpt-4o',
      groupName: 'gpt-4o',
      requests: 2,
      inputTokens: 100,
      outputTokens: 50,
      cachedTokens: 0,
      reasoningTokens: 0,
      costUsd: 0.5,
    },
    {
      period: '2026-11-25T00:00:00.000Z',
      group: 'claude',
      groupName: 'claude',
      requests: 1,
      inputTokens: 10,
      outputTokens: 5,
      cachedTokens: 0,
      reasoningTokens: 0,
      costUsd: 1.25,
    },
  ],
  totals: {
    requests: 3,
    inputTokens: 110,
    outputTokens: 55,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUsd: 1.75,
  },
};

describe('UsagePage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    useAuth.getState().signOut();
  });

  it('shows report totals and a row per group, and refetches with the chosen grouping', async () => {
    const { calls } = mockFetch((req) => (path(req) === '/api/reports/billing' ? json(report) : undefined));
    renderWithApp(<UsagePage />);
    expect(await screen.findByTestId('total-cost')).toHaveTextContent('$1.75');
    const table = screen.getByTestId('report-table');
    expect(table).toHaveTextContent('claude');
    expect(table).toHaveTextContent('$1.25');
    expect(table.querySelector('tbody tr')).toHaveTextContent('claude'); // most expensive first
    await userEvent.selectOptions(screen.getByLabelText('Group by'), 'provider');
    await waitFor(() =>
      expect(calls.some((c) => new URL(c.url).searchParams.get('groupBy') === 'provider')).toBe(true),
    );
  });

  it('validates the price form fields', () => {
    expect(
      validatePrice({
        model: '',
        inputPerM: 'x',
        outputPerM: '1',
        cachedInputPerM: '-1',
        cacheWritePerM: 'abc',
        note: '',
      }),
    ).toEqual({
      model: 'prices.errModel',
      inputPerM: 'prices.errPrice',
      cachedInputPerM: 'prices.errPrice',
      cacheWritePerM: 'prices.errPrice',
    });
    expect(
      validatePrice({
        model: 'm',
        inputPerM: '0',
        outputPerM: '2.5',
        cachedInputPerM: '',
        cacheWritePerM: '3.75',
        note: '',
      }),
    ).toEqual({});
  });
});
