import { createHmac } from 'node:crypto';

/**
 * Generic webhook signature. The signed string is `<timestamp>.<raw body>` where timestamp is the
 * `X-Alert-Timestamp` header (unix seconds); the `X-Signature` header is
 * `sha256=<hex HMAC-SHA256(signed string, channel secret)>`. Receivers recompute it over the raw bytes
 * and should reject timestamps older than a few minutes (replay).
 */
export function webhookSignature(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/**
 * DingTalk robot signing: HMAC-SHA256 keyed with the secret over `timestamp + "\n" + secret`,
 * base64, then URL-encoded as the `sign` query parameter (timestamp in milliseconds).
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/**
 * Feishu/Lark bot signing: HMAC-SHA256 keyed with `timestamp + "\n" + secret` over an empty message,
 * base64 (timestamp in seconds, sent as a string in the body).
 */
export function feishuSign(secret: string, timestampSec: number): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64');
}
