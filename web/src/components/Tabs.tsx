import { cx } from '../lib/format';

/** A segmented control (Apple style) acting as a tab list. */
export function Tabs<T extends string>({
  value,
  onChange,
  items,
}: {
  value: T;
  onChange(v: T): void;
  items: { id: T; label: string }[];
}) {
  return (
    <div role="tablist" className="mb-6 inline-flex rounded-full bg-fill p-1">
      {items.map((it) => (
        <button
          key={it.id}
          type="button"
          role="tab"
          aria-selected={value === it.id}
          onClick={() => onChange(it.id)}
          className={cx(
            'rounded-full px-4 py-1.5 text-sm font-medium transition-colors',
            value === it.id ? 'bg-card text-fg shadow-sm' : 'text-muted hover:text-fg',
          )}
        >
          {it.label}
        </button>
      ))}
    </div>
  );
}
