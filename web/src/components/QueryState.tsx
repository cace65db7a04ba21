import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState, TableSkeleton } from './ui';

/** The part of a TanStack Query result that QueryState reads (a `useQuery` result fits). */
export interface QueryLike<T> {
  data: T | undefined;
  error: Error | null;
  isLoading: boolean;
  refetch: () => unknown;
}

const isEmptyArray = (data: unknown) => Array.isArray(data) && data.length === 0;

/**
 * The four states of a list: a skeleton while the first load runs, the error with "Try again"
 * (refetch), the empty state when the data has nothing to show (or there is no data, e.g. a
 * disabled query), else `children(data)`.
 */
export function QueryState<T>({
  query,
  isEmpty = isEmptyArray,
  skeleton = <TableSkeleton />,
  empty = null,
  renderError,
  children,
}: {
  query: QueryLike<T>;
  /** Whether the loaded data has nothing to show; by default, an empty array. */
  isEmpty?: (data: T) => boolean;
  skeleton?: ReactNode;
  empty?: ReactNode;
  /** Replaces the default error card (message and "Try again"). */
  renderError?: (error: Error) => ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { t } = useTranslation();
  if (query.isLoading) return skeleton;
  // TanStack Query sets `error` exactly when the status is 'error' (isError).
  if (query.error)
    return renderError ? (
      renderError(query.error)
    ) : (
      <ErrorState
        message={query.error.message}
        onRetry={() => void query.refetch()}
        retryLabel={t('common.retry')}
      />
    );
  if (query.data === undefined || isEmpty(query.data)) return empty;
  return children(query.data);
}
