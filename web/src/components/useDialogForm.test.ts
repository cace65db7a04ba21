import { describe, expect, it, vi } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import { useDialogForm, type FormErrors } from './useDialogForm';
import '../i18n';

interface Draft {
  name: string;
  amount: string;
}

const validate = (d: Draft): FormErrors<keyof Draft> => ({
  ...(d.name.trim() ? {} : { name: 'alerts.errName' }),
  ...(d.amount.trim() === '' || Number(d.amount) < 0 ? { amount: 'budgets.errAmount' } : {}),
});

/** The hook as a dialog uses it: `row` stands for the edited row (null: create). */
function setup(initial: { open: boolean; row: { id: string; name: string } | null }) {
  const init = vi.fn((row: { id: string; name: string } | null): Draft => ({
    name: row?.name ?? '',
    amount: '',
  }));
  const hook = renderHook(
    ({ open, row }: { open: boolean; row: { id: string; name: string } | null }) =>
      useDialogForm({ open, key: row?.id ?? 'new', init: () => init(row), validate }),
    { initialProps: initial },
  );
  return { ...hook, init };
}

const alpha = { id: 'a', name: 'alpha' };
const beta = { id: 'b', name: 'beta' };

describe('useDialogForm', () => {
  it('seeds the value from init() on the first render of an open dialog', () => {
    const { result, init } = setup({ open: true, row: alpha });
    expect(result.current.value).toEqual({ name: 'alpha', amount: '' });
    expect(result.current.touched).toBe(false);
    expect(result.current.error).toBeNull();
    expect(init).toHaveBeenCalledTimes(1);
  });

  it('re-seeds, untouched and without a server error, each time the dialog opens', () => {
    const { result, rerender } = setup({ open: false, row: null });
    rerender({ open: true, row: alpha });
    expect(result.current.value.name).toBe('alpha');
    act(() => result.current.set({ name: 'edited' }));
    act(() => result.current.submit(() => {}));
    act(() => result.current.setError('boom'));
    expect(result.current.touched).toBe(true);
    rerender({ open: true, row: alpha });
    expect(result.current.value.name).toBe('edited'); // a re-render keeps the edits
    rerender({ open: false, row: alpha });
    rerender({ open: true, row: alpha });
    expect(result.current.value).toEqual({ name: 'alpha', amount: '' });
    expect(result.current.touched).toBe(false);
    expect(result.current.error).toBeNull();
  });

  it('re-seeds when the key changes while open, and not while closed', () => {
    const { result, rerender, init } = setup({ open: true, row: alpha });
    act(() => result.current.set({ amount: '3' }));
    act(() => result.current.submit(() => {}));
    rerender({ open: true, row: beta });
    expect(result.current.value).toEqual({ name: 'beta', amount: '' });
    expect(result.current.touched).toBe(false);
    rerender({ open: false, row: beta });
    const calls = init.mock.calls.length;
    rerender({ open: false, row: alpha });
    expect(init).toHaveBeenCalledTimes(calls);
    rerender({ open: true, row: alpha });
    expect(result.current.value.name).toBe('alpha');
  });

  it('merges patches, also ones computed from the current value', () => {
    const { result } = setup({ open: true, row: null });
    act(() => {
      result.current.set({ name: 'a' });
      result.current.set((d) => ({ name: `${d.name}b`, amount: '1' }));
    });
    expect(result.current.value).toEqual({ name: 'ab', amount: '1' });
  });

  it('reports the errors always but shows a field’s only once the user tried to submit', () => {
    const { result } = setup({ open: true, row: null });
    expect(result.current.errors).toEqual({ name: 'alerts.errName', amount: 'budgets.errAmount' });
    expect(result.current.valid).toBe(false);
    expect(result.current.err('name')).toBeUndefined();
    act(() => result.current.submit(() => {}));
    expect(result.current.touched).toBe(true);
    expect(result.current.err('name')).toBe('Enter a name.');
    expect(result.current.err('amount')).toBe('Enter an amount of at least 0.');
    act(() => result.current.set({ name: 'x' }));
    expect(result.current.err('name')).toBeUndefined();
    expect(result.current.err('amount')).toBe('Enter an amount of at least 0.');
  });

  it('submits only a valid value, clearing the server error either way', () => {
    const save = vi.fn();
    const { result } = setup({ open: true, row: alpha });
    act(() => result.current.setError('name taken'));
    expect(result.current.error).toBe('name taken');
    act(() => result.current.submit(save));
    expect(save).not.toHaveBeenCalled();
    expect(result.current.error).toBeNull();
    act(() => result.current.set({ amount: '12' }));
    act(() => result.current.setError('name taken'));
    act(() => result.current.submit(save));
    expect(save).toHaveBeenCalledTimes(1);
    expect(result.current.error).toBeNull();
  });

  it('without a validator every value is valid', () => {
    const save = vi.fn();
    const { result } = renderHook(() => useDialogForm({ open: true, key: 'new', init: () => ({ n: 0 }) }));
    expect(result.current.errors).toEqual({});
    act(() => result.current.submit(save));
    expect(save).toHaveBeenCalledTimes(1);
  });
});
