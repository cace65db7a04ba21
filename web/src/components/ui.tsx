import {
  forwardRef,
  useId,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { Loader2, Pencil, Plus, Trash2 } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { cx } from '../lib/format';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';

const variants: Record<Variant, string> = {
  primary: 'bg-primary text-white hover:brightness-110 active:brightness-95 shadow-sm',
  secondary: 'bg-fill text-fg hover:bg-fill-strong',
  ghost: 'text-fg hover:bg-fill',
  danger: 'bg-danger text-white hover:brightness-110 shadow-sm',
};

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: 'sm' | 'md';
  loading?: boolean;
  icon?: ReactNode;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  {
    variant = 'primary',
    size = 'md',
    loading,
    icon,
    className,
    children,
    disabled,
    type = 'button',
    ...rest
  },
  ref,
) {
  return (
    <button
      ref={ref}
      type={type}
      disabled={disabled || loading}
      className={cx(
        'inline-flex items-center justify-center gap-2 rounded-[var(--radius-control)] font-medium whitespace-nowrap',
        'transition-all duration-150 disabled:opacity-50 disabled:cursor-not-allowed select-none',
        size === 'sm' ? 'h-8 px-3 text-[13px]' : 'h-10 px-4 text-sm',
        variants[variant],
        className,
      )}
      {...rest}
    >
      {loading ? <Loader2 className="size-4 animate-spin" aria-hidden /> : icon}
      {children}
    </button>
  );
});

/** A list page's "New …" button (a plus icon): in its header and as its empty state's action. */
export function NewButton(props: Omit<ButtonProps, 'icon'>) {
  return <Button icon={<Plus className="size-4" />} {...props} />;
}

export function IconButton({
  label,
  className,
  children,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { label: string }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      className={cx(
        'inline-flex size-9 items-center justify-center rounded-full text-muted hover:bg-fill hover:text-fg transition-colors',
        className,
      )}
      {...rest}
    >
      {children}
    </button>
  );
}

/**
 * The actions cell that ends a table row: a right-aligned `<td>` with an edit button, any extra
 * buttons (`children`), then a delete button. Edit and delete are shown only when their handler is
 * given; `hidden` (e.g. for a reader who may not change the row) keeps the cell but leaves it empty.
 */
export function RowActions({
  onEdit,
  editLabel,
  onDelete,
  hidden = false,
  children,
}: {
  onEdit?: () => void;
  /** Defaults to "Edit". */
  editLabel?: string;
  onDelete?: () => void;
  hidden?: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <td className="px-5 py-3 text-right">
      {hidden ? null : (
        <div className="flex justify-end gap-1">
          {onEdit ? (
            <IconButton label={editLabel ?? t('common.edit')} onClick={onEdit}>
              <Pencil className="size-4" />
            </IconButton>
          ) : null}
          {children}
          {onDelete ? (
            <IconButton label={t('common.delete')} onClick={onDelete}>
              <Trash2 className="size-4" />
            </IconButton>
          ) : null}
        </div>
      )}
    </td>
  );
}

export function Card({ className, children, ...rest }: React.HTMLAttributes<HTMLDivElement>) {
  return (
    <div
      className={cx('rounded-[var(--radius-card)] bg-card shadow-soft border border-line', className)}
      {...rest}
    >
      {children}
    </div>
  );
}

export function Field({
  label,
  hint,
  error,
  children,
  htmlFor,
}: {
  label: string;
  hint?: ReactNode;
  error?: string;
  children: ReactNode;
  htmlFor?: string;
}) {
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={htmlFor} className="text-[13px] font-medium text-fg">
        {label}
      </label>
      {children}
      {error ? (
        <p className="text-xs text-danger" role="alert">
          {error}
        </p>
      ) : hint ? (
        <p className="text-xs text-muted">{hint}</p>
      ) : null}
    </div>
  );
}

const control =
  'w-full rounded-[var(--radius-control)] border border-line bg-elevated px-3 text-sm text-fg placeholder:text-muted/70 transition-shadow focus:outline-none focus:ring-4 focus:ring-primary/20 focus:border-primary';

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function Input(
  { className, ...rest },
  ref,
) {
  return <input ref={ref} className={cx(control, 'h-10', className)} {...rest} />;
});

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(
  function Textarea({ className, ...rest }, ref) {
    return <textarea ref={ref} className={cx(control, 'py-2 min-h-20', className)} {...rest} />;
  },
);

export function Select({ className, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select className={cx(control, 'h-10 pr-8', className)} {...rest}>
      {children}
    </select>
  );
}

/** An accessible on/off switch (role="switch"). */
export function Switch({
  checked,
  onChange,
  label,
  disabled,
}: {
  checked: boolean;
  onChange(v: boolean): void;
  label: string;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      title={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      className={cx(
        'relative inline-flex h-6 w-10 shrink-0 items-center rounded-full transition-colors duration-200 disabled:opacity-50',
        checked ? 'bg-success' : 'bg-fill-strong',
      )}
    >
      <span
        className={cx(
          'inline-block size-5 rounded-full bg-white shadow transition-transform duration-200',
          checked ? 'translate-x-[18px]' : 'translate-x-0.5',
        )}
      />
    </button>
  );
}

export function Checkbox({
  label,
  checked,
  onChange,
  id,
}: {
  label: ReactNode;
  checked: boolean;
  onChange(v: boolean): void;
  id?: string;
}) {
  const auto = useId();
  const cid = id ?? auto;
  return (
    <label
      htmlFor={cid}
      className="inline-flex items-center gap-2 text-sm text-fg cursor-pointer select-none"
    >
      <input
        id={cid}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        className="size-4 rounded accent-[var(--app-primary)]"
      />
      {label}
    </label>
  );
}

type Tone = 'neutral' | 'success' | 'warning' | 'danger' | 'primary';
const tones: Record<Tone, string> = {
  neutral: 'bg-fill text-muted',
  success: 'bg-success/15 text-[#248a3d] dark:text-[#30d158]',
  warning: 'bg-warning/15 text-[#c93400] dark:text-[#ffd60a]',
  danger: 'bg-danger/15 text-[#d70015] dark:text-[#ff6961]',
  primary: 'bg-primary/12 text-primary',
};

export function Badge({
  tone = 'neutral',
  children,
  className,
}: {
  tone?: Tone;
  children: ReactNode;
  className?: string;
}) {
  return (
    <span
      className={cx(
        'inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium',
        tones[tone],
        className,
      )}
    >
      {children}
    </span>
  );
}

export function Dot({ tone }: { tone: Tone }) {
  const c = {
    neutral: 'bg-muted',
    success: 'bg-success',
    warning: 'bg-warning',
    danger: 'bg-danger',
    primary: 'bg-primary',
  }[tone];
  return <span className={cx('inline-block size-2 rounded-full', c)} aria-hidden />;
}

export function Skeleton({ className }: { className?: string }) {
  return <div className={cx('skeleton rounded-xl', className)} aria-hidden />;
}

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: string;
  subtitle?: string;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
      <div>
        <h1 className="text-[28px] font-semibold tracking-tight text-fg">{title}</h1>
        {subtitle ? <p className="mt-1 text-sm text-muted">{subtitle}</p> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  body,
  action,
}: {
  icon: ReactNode;
  title: string;
  body: string;
  action?: ReactNode;
}) {
  return (
    <Card className="flex flex-col items-center px-6 py-14 text-center">
      <div className="mb-4 flex size-14 items-center justify-center rounded-2xl bg-primary/10 text-primary">
        {icon}
      </div>
      <h2 className="text-lg font-semibold text-fg">{title}</h2>
      <p className="mt-1 max-w-md text-sm text-muted">{body}</p>
      {action ? <div className="mt-5">{action}</div> : null}
    </Card>
  );
}

export function ErrorState({
  message,
  onRetry,
  retryLabel,
}: {
  message: string;
  onRetry?: () => void;
  retryLabel: string;
}) {
  return (
    <Card className="flex flex-col items-center gap-3 px-6 py-10 text-center">
      <p className="text-sm text-danger">{message}</p>
      {onRetry ? (
        <Button variant="secondary" size="sm" onClick={onRetry}>
          {retryLabel}
        </Button>
      ) : null}
    </Card>
  );
}

export function TableSkeleton({ rows = 5 }: { rows?: number }) {
  return (
    <Card className="p-4" aria-busy="true">
      <div className="flex flex-col gap-3">
        {Array.from({ length: rows }, (_, i) => (
          <Skeleton key={i} className="h-10 w-full" />
        ))}
      </div>
    </Card>
  );
}
