import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { AnimatePresence, motion } from 'framer-motion';
import { AlertTriangle, CheckCircle2, Info, X, XCircle } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import { Button, IconButton } from './ui';
import { cx } from '../lib/format';

/** Keeps keyboard focus inside an open dialog; Escape closes it; focus returns where it was. */
function useDialogFocus(open: boolean, onClose: () => void) {
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  useLayoutEffect(() => {
    close.current = onClose;
  });
  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement as HTMLElement | null;
    const node = ref.current;
    const focusables = () =>
      Array.from(
        node?.querySelectorAll<HTMLElement>(
          'a[href],button:not([disabled]),input:not([disabled]),select,textarea,[tabindex]:not([tabindex="-1"])',
        ) ?? [],
      );
    const first = node?.querySelector<HTMLElement>('[data-autofocus]') ?? focusables()[0];
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        close.current();
      } else if (e.key === 'Tab') {
        const f = focusables();
        if (!f.length) return;
        const i = f.indexOf(document.activeElement as HTMLElement);
        if (e.shiftKey && i <= 0) {
          e.preventDefault();
          f[f.length - 1].focus();
        } else if (!e.shiftKey && i === f.length - 1) {
          e.preventDefault();
          f[0].focus();
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, [open]);
  return ref;
}

export function Modal({
  open,
  onClose,
  title,
  children,
  footer,
  wide,
}: {
  open: boolean;
  onClose(): void;
  title: string;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const { t } = useTranslation();
  const ref = useDialogFocus(open, onClose);
  return createPortal(
    <AnimatePresence>
      {open ? (
        <div className="fixed inset-0 z-50 flex items-end justify-center sm:items-center sm:p-6">
          <motion.div
            className="absolute inset-0 bg-black/30 backdrop-blur-sm"
            initial={{ opacity: 0 }}
            animate={{ opacity: 1 }}
            exit={{ opacity: 0 }}
            transition={{ duration: 0.15 }}
            onClick={onClose}
          />
          <motion.div
            ref={ref}
            role="dialog"
            aria-modal="true"
            aria-label={title}
            initial={{ opacity: 0, y: 16, scale: 0.98 }}
            animate={{ opacity: 1, y: 0, scale: 1 }}
            exit={{ opacity: 0, y: 8, scale: 0.98 }}
            transition={{ duration: 0.18, ease: [0.25, 0.1, 0.25, 1] }}
            className={cx(
              'relative flex max-h-[92vh] w-full flex-col rounded-t-[20px] bg-card shadow-float sm:rounded-[20px]',
              wide ? 'sm:max-w-3xl' : 'sm:max-w-lg',
            )}
          >
            <div className="flex items-center justify-between px-6 pt-5 pb-3">
              <h2 className="text-lg font-semibold text-fg">{title}</h2>
              <IconButton label={t('common.close')} onClick={onClose}>
                <X className="size-4" />
              </IconButton>
            </div>
            <div className="overflow-y-auto px-6 pb-4">{children}</div>
            {footer ? (
              <div className="flex justify-end gap-2 border-t border-line px-6 py-4">{footer}</div>
            ) : null}
          </motion.div>
        </div>
      ) : null}
    </AnimatePresence>,
    document.body,
  );
}

/** A dialog footer: the secondary Cancel (or `cancelLabel`), then the primary action (Save by default). */
export function DialogFooter({
  onCancel,
  cancelLabel,
  onSubmit,
  submitLabel,
  loading,
  disabled,
}: {
  onCancel(): void;
  cancelLabel?: string;
  onSubmit(): void;
  submitLabel?: string;
  loading?: boolean;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Button variant="secondary" onClick={onCancel}>
        {cancelLabel ?? t('common.cancel')}
      </Button>
      <Button loading={loading} disabled={disabled} onClick={onSubmit}>
        {submitLabel ?? t('common.save')}
      </Button>
    </>
  );
}

export function Drawer({
  open,
  onClose,
  title,
  children,
}: {
  open: boolean;
  onClose(): void;
  title: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const ref = useDialogFocus(open, onClose);
  return createPortal(
    <AnimatePresence>
      {open ? (
        <div className="fixed inset-0 z-50">
          <motion.div
            className="absolute inset-0 bg-black/25"
            initial={{ opacity: 0 }}
            animate={{ opacity: 1 }}
            exit={{ opacity: 0 }}
            transition={{ duration: 0.15 }}
            onClick={onClose}
          />
          <motion.aside
            ref={ref}
            role="dialog"
            aria-modal="true"
            aria-label={title}
            initial={{ x: '100%' }}
            animate={{ x: 0 }}
            exit={{ x: '100%' }}
            transition={{ duration: 0.22, ease: [0.25, 0.1, 0.25, 1] }}
            className="absolute inset-y-0 right-0 flex w-full max-w-2xl flex-col bg-card shadow-float"
          >
            <div className="flex items-center justify-between border-b border-line px-6 py-4">
              <h2 className="text-lg font-semibold text-fg">{title}</h2>
              <IconButton label={t('common.close')} onClick={onClose}>
                <X className="size-4" />
              </IconButton>
            </div>
            <div className="flex-1 overflow-y-auto px-6 py-5">{children}</div>
          </motion.aside>
        </div>
      ) : null}
    </AnimatePresence>,
    document.body,
  );
}

// ---- confirm dialogs (promise based) ----

interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel?: string;
  destructive?: boolean;
  resolve(ok: boolean): void;
}

const useConfirmStore = create<{ current: ConfirmRequest | null; set(c: ConfirmRequest | null): void }>(
  (set) => ({
    current: null,
    set: (current) => set({ current }),
  }),
);

/** `await confirm({...})` resolves true when the user confirms. */
export function confirm(opts: Omit<ConfirmRequest, 'resolve'>): Promise<boolean> {
  return new Promise((resolve) => useConfirmStore.getState().set({ ...opts, resolve }));
}

export function ConfirmHost() {
  const { t } = useTranslation();
  const { current, set } = useConfirmStore();
  const done = (ok: boolean) => {
    current?.resolve(ok);
    set(null);
  };
  return (
    <Modal
      open={!!current}
      onClose={() => done(false)}
      title={current?.title ?? ''}
      footer={
        <>
          <Button variant="secondary" onClick={() => done(false)}>
            {t('common.cancel')}
          </Button>
          <Button
            variant={current?.destructive ? 'danger' : 'primary'}
            onClick={() => done(true)}
            data-autofocus
          >
            {current?.confirmLabel ?? t('common.confirm')}
          </Button>
        </>
      }
    >
      <div className="flex gap-3">
        {current?.destructive ? (
          <AlertTriangle className="mt-0.5 size-5 shrink-0 text-danger" aria-hidden />
        ) : null}
        <p className="text-sm text-muted">{current?.body}</p>
      </div>
    </Modal>
  );
}

// ---- toasts ----

type ToastKind = 'success' | 'error' | 'info';
interface ToastItem {
  id: number;
  kind: ToastKind;
  message: string;
}

const useToastStore = create<{
  items: ToastItem[];
  push(kind: ToastKind, message: string): void;
  dismiss(id: number): void;
}>((set) => ({
  items: [],
  push: (kind, message) => {
    const id = Date.now() + Math.random();
    set((s) => ({ items: [...s.items.slice(-3), { id, kind, message }] }));
    setTimeout(
      () => set((s) => ({ items: s.items.filter((i) => i.id !== id) })),
      kind === 'error' ? 7000 : 3500,
    );
  },
  dismiss: (id) => set((s) => ({ items: s.items.filter((i) => i.id !== id) })),
}));

export const toast = {
  success: (m: string) => useToastStore.getState().push('success', m),
  error: (m: string) => useToastStore.getState().push('error', m),
  info: (m: string) => useToastStore.getState().push('info', m),
};

export function ToastHost() {
  const { t } = useTranslation();
  const { items, dismiss } = useToastStore();
  const icon = {
    success: <CheckCircle2 className="size-5 text-success" />,
    error: <XCircle className="size-5 text-danger" />,
    info: <Info className="size-5 text-primary" />,
  };
  return (
    <div
      className="pointer-events-none fixed inset-x-0 top-4 z-[60] flex flex-col items-center gap-2 px-4"
      aria-live="polite"
      role="status"
    >
      <AnimatePresence>
        {items.map((i) => (
          <motion.div
            key={i.id}
            layout
            initial={{ opacity: 0, y: -12, scale: 0.97 }}
            animate={{ opacity: 1, y: 0, scale: 1 }}
            exit={{ opacity: 0, y: -8, scale: 0.97 }}
            transition={{ duration: 0.18 }}
            className="pointer-events-auto flex max-w-md items-start gap-3 rounded-2xl border border-line bg-elevated/95 px-4 py-3 text-sm text-fg shadow-float backdrop-blur"
            data-toast={i.kind}
          >
            <span className="mt-px shrink-0">{icon[i.kind]}</span>
            <span className="flex-1">{i.message}</span>
            <button
              type="button"
              className="text-muted hover:text-fg"
              aria-label={t('common.close')}
              onClick={() => dismiss(i.id)}
            >
              <X className="size-4" />
            </button>
          </motion.div>
        ))}
      </AnimatePresence>
    </div>
  );
}

/** Copies text; shows "Copied" for a moment. */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      size="sm"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // Fallback for non-secure contexts (plain http on a LAN address).
          const ta = document.createElement('textarea');
          ta.value = text;
          document.body.appendChild(ta);
          ta.select();
          document.execCommand('copy');
          ta.remove();
        }
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? t('common.copied') : (label ?? t('common.copy'))}
    </Button>
  );
}
