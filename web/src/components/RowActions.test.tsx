import type { ReactElement } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { IconButton, RowActions } from './ui';
import '../i18n';

/** RowActions is a `<td>`: render it inside a table row. */
function renderRow(cell: ReactElement) {
  return render(
    <table>
      <tbody>
        <tr>{cell}</tr>
      </tbody>
    </table>,
  );
}

describe('RowActions', () => {
  it('renders edit and delete with their labels in a right-aligned cell and calls the handlers', async () => {
    const onEdit = vi.fn();
    const onDelete = vi.fn();
    renderRow(<RowActions onEdit={onEdit} onDelete={onDelete} />);
    const cell = screen.getByRole('cell');
    expect(cell).toHaveClass('px-5', 'py-3', 'text-right');
    const buttons = within(cell).getAllByRole('button');
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual(['Edit', 'Delete']);
    expect(buttons[0]).toHaveAttribute('title', 'Edit');
    expect(buttons[0].parentElement).toHaveClass('flex', 'justify-end', 'gap-1');

    await userEvent.click(screen.getByRole('button', { name: 'Edit' }));
    expect(onEdit).toHaveBeenCalledTimes(1);
    expect(onDelete).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(onDelete).toHaveBeenCalledTimes(1);
    expect(onEdit).toHaveBeenCalledTimes(1);
  });

  it('uses a custom edit label', () => {
    renderRow(<RowActions editLabel="Rename tenant" onEdit={() => {}} onDelete={() => {}} />);
    expect(screen.getByRole('button', { name: 'Rename tenant' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit' })).not.toBeInTheDocument();
  });

  it('omits the edit button without onEdit and the delete button without onDelete', () => {
    const { unmount } = renderRow(<RowActions onEdit={() => {}} />);
    expect(screen.getAllByRole('button').map((b) => b.getAttribute('aria-label'))).toEqual(['Edit']);
    unmount();
    renderRow(<RowActions onDelete={() => {}} />);
    expect(screen.getAllByRole('button').map((b) => b.getAttribute('aria-label'))).toEqual(['Delete']);
  });

  it('renders extra children between edit and delete', async () => {
    const onRotate = vi.fn();
    renderRow(
      <RowActions onEdit={() => {}} onDelete={() => {}}>
        <IconButton label="Rotate" onClick={onRotate}>
          R
        </IconButton>
        <IconButton label="Budget">B</IconButton>
      </RowActions>,
    );
    expect(screen.getAllByRole('button').map((b) => b.getAttribute('aria-label'))).toEqual([
      'Edit',
      'Rotate',
      'Budget',
      'Delete',
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Rotate' }));
    expect(onRotate).toHaveBeenCalledTimes(1);
  });

  it('keeps an empty cell when hidden', () => {
    renderRow(
      <RowActions hidden onEdit={() => {}} onDelete={() => {}}>
        <IconButton label="Rotate">R</IconButton>
      </RowActions>,
    );
    const cell = screen.getByRole('cell');
    expect(cell).toHaveClass('text-right');
    expect(cell).toBeEmptyDOMElement();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});
