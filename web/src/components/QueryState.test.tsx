import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useQuery } from '@tanstack/react-query';
import { QueryState, type QueryLike } from './QueryState';
import { EmptyState, NewButton } from './ui';
import { renderWithApp } from '../test/utils';
import '../i18n';

function q<T>(over: Partial<QueryLike<T>>): QueryLike<T> {
  return { data: undefined, error: null, isLoading: false, refetch: vi.fn(), ...over };
}

const list = (rows: string[]) => (
  <ul>
    {rows.map((r) => (
      <li key={r}>{r}</li>
    ))}
  </ul>
);

describe('QueryState', () => {
  it('shows the table skeleton while loading, not the children', () => {
    const { container } = render(<QueryState query={q<string[]>({ isLoading: true })}>{list}</QueryState>);
    expect(container.querySelector('[aria-busy="true"]')).toBeInTheDocument();
    expect(container.querySelectorAll('.skeleton')).toHaveLength(5);
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
  });

  it('shows a custom skeleton', () => {
    render(
      <QueryState query={q<string[]>({ isLoading: true })} skeleton={<p>Loading rows</p>}>
        {list}
      </QueryState>,
    );
    expect(screen.getByText('Loading rows')).toBeInTheDocument();
  });

  it('shows the error and "Try again" calls refetch', async () => {
    const refetch = vi.fn();
    render(
      <QueryState query={q<string[]>({ error: new Error('Gateway unreachable'), refetch })}>
        {list}
      </QueryState>,
    );
    expect(screen.getByText('Gateway unreachable')).toBeInTheDocument();
    expect(screen.queryByRole('list')).not.toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(refetch).toHaveBeenCalledTimes(1);
  });

  it('renders a replacement for the error card', () => {
    render(
      <QueryState
        query={q<string[]>({ error: new Error('Upstream said no') })}
        renderError={(e) => <p role="alert">Failed: {e.message}</p>}
      >
        {list}
      </QueryState>,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Failed: Upstream said no');
    expect(screen.queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
  });

  it('shows the empty state with its action for an empty list', async () => {
    const create = vi.fn();
    const children = vi.fn(list);
    render(
      <QueryState
        query={q<string[]>({ data: [] })}
        empty={
          <EmptyState
            icon={null}
            title="No proxies"
            body="Add one."
            action={<NewButton onClick={create}>New proxy</NewButton>}
          />
        }
      >
        {children}
      </QueryState>,
    );
    expect(screen.getByRole('heading', { name: 'No proxies' })).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'New proxy' }));
    expect(create).toHaveBeenCalledTimes(1);
    expect(children).not.toHaveBeenCalled();
  });

  it('shows the empty state when there is no data (a disabled query)', () => {
    render(
      <QueryState query={q<string[]>({ data: undefined })} empty={<p>Nothing yet</p>}>
        {list}
      </QueryState>,
    );
    expect(screen.getByText('Nothing yet')).toBeInTheDocument();
  });

  it('uses isEmpty for paged results', () => {
    const page = (items: string[]) => q({ data: { items, total: items.length } });
    const { rerender } = render(
      <QueryState query={page([])} isEmpty={(d) => !d.items.length} empty={<p>No logs</p>}>
        {(d) => list(d.items)}
      </QueryState>,
    );
    expect(screen.getByText('No logs')).toBeInTheDocument();
    rerender(
      <QueryState query={page(['req-1'])} isEmpty={(d) => !d.items.length} empty={<p>No logs</p>}>
        {(d) => list(d.items)}
      </QueryState>,
    );
    expect(screen.queryByText('No logs')).not.toBeInTheDocument();
    expect(screen.getByRole('listitem')).toHaveTextContent('req-1');
  });

  it('renders the children with the data', () => {
    render(
      <QueryState query={q({ data: ['openai', 'anthropic'] })} empty={<p>Empty</p>}>
        {list}
      </QueryState>,
    );
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['openai', 'anthropic']);
    expect(screen.queryByText('Empty')).not.toBeInTheDocument();
  });

  it('goes from a failed load to the data through "Try again" with a real query', async () => {
    let calls = 0;
    function Names() {
      const names = useQuery({
        queryKey: ['names'],
        queryFn: async () => {
          calls += 1;
          if (calls === 1) throw new Error('First load failed');
          return ['alpha'];
        },
      });
      return <QueryState query={names}>{list}</QueryState>;
    }
    renderWithApp(<Names />);
    expect(await screen.findByText('First load failed')).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('listitem')).toHaveTextContent('alpha');
    expect(calls).toBe(2);
  });
});
