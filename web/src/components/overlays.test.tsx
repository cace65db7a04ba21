import { describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { confirm, ConfirmHost, CopyButton, DialogFooter, toast, ToastHost } from './overlays';
import '../i18n';

describe('confirm dialog', () => {
  it('resolves true on confirm, and focuses the confirm button', async () => {
    render(<ConfirmHost />);
    let answer: Promise<boolean>;
    act(() => {
      answer = confirm({
        title: 'Delete provider?',
        body: 'This cannot be undone.',
        destructive: true,
        confirmLabel: 'Delete',
      });
    });
    const dialog = await screen.findByRole('dialog', { name: 'Delete provider?' });
    expect(dialog).toHaveTextContent('This cannot be undone.');
    const del = screen.getByRole('button', { name: 'Delete' });
    expect(del).toHaveFocus();
    await userEvent.setup().click(del);
    await expect(answer!).resolves.toBe(true);
  });

  it('resolves false on Escape and on Cancel', async () => {
    render(<ConfirmHost />);
    const user = userEvent.setup();
    let first: Promise<boolean>;
    act(() => {
      first = confirm({ title: 'Sure?', body: '…' });
    });
    await screen.findByRole('dialog', { name: 'Sure?' });
    await user.keyboard('{Escape}');
    await expect(first!).resolves.toBe(false);
    let second: Promise<boolean>;
    act(() => {
      second = confirm({ title: 'Again?', body: '…' });
    });
    await screen.findByRole('dialog', { name: 'Again?' });
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await expect(second!).resolves.toBe(false);
  });

  it('keeps Tab inside the dialog', async () => {
    render(<ConfirmHost />);
    act(() => {
      void confirm({ title: 'Trap', body: '…' });
    });
    await screen.findByRole('dialog', { name: 'Trap' });
    const user = userEvent.setup();
    const confirmBtn = screen.getByRole('button', { name: 'Confirm' });
    expect(confirmBtn).toHaveFocus();
    await user.tab();
    // Wraps to the first focusable element of the dialog (the close button), never the page behind.
    expect(screen.getByRole('dialog').contains(document.activeElement)).toBe(true);
    await user.keyboard('{Escape}');
  });
});

describe('toasts and copy', () => {
  it('shows a toast and lets it be dismissed', async () => {
    render(<ToastHost />);
    act(() => toast.success('Provider saved'));
    expect(await screen.findByText('Provider saved')).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByText('Provider saved')).not.toBeInTheDocument());
  });

  it('copies text and confirms it', async () => {
    const user = userEvent.setup();
    render(<CopyButton text="sk-secret-123" />);
    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await navigator.clipboard.readText()).toBe('sk-secret-123');
    expect(screen.getByRole('button', { name: 'Copied' })).toBeInTheDocument();
  });
});

describe('dialog footer', () => {
  it('offers Cancel and Save by default and calls their handlers', async () => {
    const onCancel = vi.fn();
    const onSubmit = vi.fn();
    render(<DialogFooter onCancel={onCancel} onSubmit={onSubmit} />);
    const user = userEvent.setup();
    const buttons = screen.getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Cancel', 'Save']);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(onSubmit).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
  });

  it('takes other labels, and disables the action while it is disabled or saving', () => {
    const { rerender } = render(
      <DialogFooter
        onCancel={() => {}}
        cancelLabel="Close"
        onSubmit={() => {}}
        submitLabel="Run test"
        disabled
      />,
    );
    expect(screen.getByRole('button', { name: 'Close' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Run test' })).toBeDisabled();
    rerender(<DialogFooter onCancel={() => {}} onSubmit={() => {}} submitLabel="Create" loading />);
    expect(screen.getByRole('button', { name: 'Create' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeEnabled();
  });
});
