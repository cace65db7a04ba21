/** Thrown by codecs on input they cannot translate; `param` names the offending field. */
export class TranslationError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'TranslationError';
  }
}
