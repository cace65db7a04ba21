/**
 * The one seam between the rule engine and the delivery machinery. Two implementations share the
 * `DeliveryProcessor` (one attempt: send, record, decide):
 *
 * - `BullDeliveryQueue` (REDIS_URL set): one BullMQ job per delivery, `attempts` = ALERT_MAX_ATTEMPTS,
 *   exponential backoff from ALERT_BACKOFF_MS; jobs survive restarts and are shared by all instances.
 * - `InProcessDeliveryQueue` (no Redis): timers in this process with the same retry, backoff and
 *   history semantics; pending deliveries are picked up again at start.
 */
export interface DeliveryQueue {
  readonly kind: 'bullmq' | 'in-process';
  /** Queues one job per delivery id (idempotent: a delivery that is no longer pending is skipped). */
  enqueue(deliveryIds: string[]): Promise<void>;
  /**
   * Re-queues deliveries that are pending in the database but may have no live job (the process
   * stopped, Redis was down when they fired, or recording an attempt failed). Deliveries with a
   * waiting, delayed or running job are left alone.
   */
  resume(deliveryIds: string[]): Promise<void>;
}

export const DELIVERY_QUEUE = Symbol('DELIVERY_QUEUE');

/** BullMQ queue name (keys are namespaced by `<REDIS_PREFIX>bull`). */
export const ALERT_DELIVERY_QUEUE = 'alert-deliveries';

/** Delay before attempt `failed + 1` after `failed` failed attempts: backoff · 2^(failed − 1). */
export function backoffDelay(backoffMs: number, failedAttempts: number): number {
  return backoffMs * 2 ** Math.max(0, failedAttempts - 1);
}
