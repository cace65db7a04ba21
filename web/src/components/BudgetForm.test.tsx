import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { BudgetForm, validateBudget } from './BudgetForm';
import { json, mockFetch, path, renderWithApp } from '../test/utils';

const base = { scope: 'key' as const, scopeId: 'k1', period: 'monthly' as const, enabled: true };

describe('validateBudget', () => {
  it('accepts an amount and a comma list of percentages, sorted and de-duplicated', () => {
    const v = validateBudget({ ...base, amount: '12.5', thresholds: '80, 50%, 80' });
    expect(v.errors).toEqual({});
    expect(v.amountUsd).toBe(12.5);
    expect(v.thresholds).toEqual([50, 80]);
  });

  it('rejects a missing target, a negative amount and out-of-range thresholds', () => {
    const v = validateBudget({ ...base, scopeId: '', amount: '-1', thresholds: '0, 100' });
    expect(v.errors).toEqual({
      scopeId: 'budgets.errScope',
      amount: 'budgets.errAmount',
      thresholds: 'budgets.errThresholds',
    });
    expect(validateBudget({ ...base, amount: '', thresholds: '' }).errors).toEqual({
      amount: 'budgets.errAmount',
    });
  });
});

describe('BudgetForm', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows validation errors, then posts a budget for the preset key', async () => {
    let body: unknown = null;
    mockFetch(async (req) => {
      if (path(req) === '/api/budgets' && req.method === 'POST') {
        body = await req.json();
        return json({ id: 'b1' }, 201);
      }
      return undefined;
    });
    const onClose = vi.fn();
    renderWithApp(
      <BudgetForm
        open
        onClose={onClose}
        editing={null}
        preset={{ scope: 'key', scopeId: 'k1', label: 'ci-bot' }}
      />,
    );
    expect(screen.getByText('ci-bot')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Enter an amount of at least 0.')).toBeInTheDocument();
    expect(body).toBeNull();
    await userEvent.type(screen.getByLabelText('Limit (USD)'), '25');
    await userEvent.selectOptions(screen.getByLabelText('Period'), 'weekly');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(body).toEqual({
      scope: 'key',
      scopeId: 'k1',
      period: 'weekly',
      amountUsd: 25,
      thresholds: [50, 80],
      enabled: true,
    });
  });
});
