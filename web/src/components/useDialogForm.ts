import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** i18n keys of a form's validation problems by field; an absent (or empty) entry means the field is fine. */
export type FormErrors<F extends string = string> = Partial<Record<F, string>>;

export interface DialogForm<T, F extends string> {
  /** The form's current value. */
  value: T;
  /** Replaces the whole value. */
  setValue(v: T | ((v: T) => T)): void;
  /** Merges a patch (or a patch computed from the current value) into the value. */
  set(patch: Partial<T> | ((v: T) => Partial<T>)): void;
  /** Whether the user has tried to submit since the form was (re)seeded. */
  touched: boolean;
  /** The server's error from the last save, shown under the fields. */
  error: string | null;
  setError(e: string | null): void;
  /** The validation problems of the current value (i18n keys), shown or not. */
  errors: FormErrors<F>;
  /** True when `errors` is empty. */
  valid: boolean;
  /** A field's translated problem, once the user has tried to submit; undefined otherwise. */
  err(field: F): string | undefined;
  /** Marks the form touched, clears the server error and calls `save` only when the value is valid. */
  submit(save: () => void): void;
}

const CLOSED = Symbol('closed');
const NO_ERRORS: FormErrors<never> = {};

/**
 * The state of a create/edit dialog: the value, seeded from `init()` each time the dialog opens and
 * whenever `key` changes while it is open (say, another row is edited), the `touched` flag and the
 * server error (both reset on each seeding), and the validation errors of `validate(value)`.
 * `key` is compared with `Object.is`, so pass a string or number (e.g. the edited row's id, or 'new').
 *
 * Seeding adjusts state during render (https://react.dev/learn/you-might-not-need-an-effect), so the
 * first paint of an opened dialog already shows the seeded value.
 */
export function useDialogForm<T, F extends string = never>({
  open,
  key,
  init,
  validate,
}: {
  open: boolean;
  key: unknown;
  init: () => T;
  validate?: (v: T) => FormErrors<F>;
}): DialogForm<T, F> {
  const { t } = useTranslation();
  const seedKey = open ? key : CLOSED;
  const [seed, setSeed] = useState<unknown>(() => seedKey);
  const [value, setValue] = useState<T>(init);
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!Object.is(seed, seedKey)) {
    setSeed(seedKey);
    if (open) {
      setValue(init());
      setTouched(false);
      setError(null);
    }
  }
  const errors = validate ? validate(value) : (NO_ERRORS as FormErrors<F>);
  const valid = !Object.values(errors).some(Boolean);
  return {
    value,
    setValue,
    set: (patch) => setValue((v) => ({ ...v, ...(typeof patch === 'function' ? patch(v) : patch) })),
    touched,
    error,
    setError,
    errors,
    valid,
    err: (field) => {
      const e = errors[field];
      return touched && e ? t(e) : undefined;
    },
    submit: (save) => {
      setTouched(true);
      setError(null);
      if (valid) save();
    },
  };
}
