import { asAbortSignal, CallAbort } from './signal';

describe('CallAbort', () => {
  it('aborts once, with its reason, and tells its listeners', () => {
    const a = new CallAbort();
    const heard = jest.fn();
    a.once('abort', heard);
    expect(a.aborted).toBe(false);
    const reason = new Error('client disconnected');
    a.abort(reason);
    a.abort(new Error('again'));
    expect(a.aborted).toBe(true);
    expect(a.reason).toBe(reason);
    expect(heard).toHaveBeenCalledTimes(1);
  });

  it('gives a standard AbortSignal that follows it, made before or after the abort', () => {
    const before = new CallAbort();
    const signal = asAbortSignal(before);
    expect(signal.aborted).toBe(false);
    before.abort(new Error('gone'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('gone');

    const after = new CallAbort();
    after.abort();
    expect(asAbortSignal(after).aborted).toBe(true);
    expect(after.reason).toBeInstanceOf(Error);
  });

  it('passes standard signals through', () => {
    const s = AbortSignal.timeout(1000);
    expect(asAbortSignal(s)).toBe(s);
  });
});
