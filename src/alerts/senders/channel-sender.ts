import { Injectable } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { request } from 'undici';
import type { ChannelType } from '../alert.entity';
import type {
  ChannelSecrets,
  DingTalkConfig,
  EmailConfig,
  FeishuConfig,
  WebhookConfig,
} from './channel-config';
import type { AlertMessage } from './message';
import { buildDingTalk, buildEmail, buildFeishu, buildSlack, buildWebhook, HttpPost } from './payloads';
import { AlertTargetGuard, TargetRefusedError } from './target-guard';

/** A channel with its secrets opened (only ever held in memory while sending). */
export interface OpenChannel {
  type: ChannelType;
  config: Record<string, unknown>;
  secrets: ChannelSecrets;
}

/** The outcome of one delivery attempt. */
export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

const TIMEOUT_MS = 10_000;
const MAX_ERROR_BODY = 500;

/**
 * Sends one message to one channel: the pure payload builders (payloads.ts) make the bytes, one HTTP
 * POST (undici) or one SMTP transaction (nodemailer) delivers them. Never throws: failures come back
 * as `ok: false` with the status code and error. Every target passes the SSRF guard at send time
 * (`AlertTargetGuard`): IP literals before the request, host names on each new connection's DNS
 * answer, SMTP hosts resolved and checked before connecting to the checked address.
 */
@Injectable()
export class ChannelSender {
  constructor(private readonly guard: AlertTargetGuard) {}

  async send(channel: OpenChannel, m: AlertMessage, now = new Date()): Promise<SendResult> {
    const started = performance.now();
    const done = (ok: boolean, statusCode: number | null, error: string | null): SendResult => ({
      ok,
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    try {
      const s = channel.secrets;
      switch (channel.type) {
        case 'webhook':
          return this.post(
            buildWebhook(channel.config as unknown as WebhookConfig, s.signingSecret, m, now),
            done,
          );
        case 'slack':
          return this.post(buildSlack(s.webhookUrl, m), done, (body) =>
            body.trim() === 'ok' || body.trim() === '' ? null : body,
          );
        case 'dingtalk':
          return this.post(
            buildDingTalk(s.webhookUrl, s.signSecret, channel.config as DingTalkConfig, m, now),
            done,
            (body) => botError(body, 'errcode', 'errmsg'),
          );
        case 'feishu':
          return this.post(
            buildFeishu(s.webhookUrl, s.signSecret, channel.config as FeishuConfig, m, now),
            done,
            (body) => botError(body, 'code', 'msg') ?? botError(body, 'StatusCode', 'StatusMessage'),
          );
        case 'email':
          return await this.email(channel.config as unknown as EmailConfig, s.password, m, done);
      }
    } catch (e) {
      return done(false, null, (e as Error).message);
    }
  }

  private async post(
    p: HttpPost,
    done: (ok: boolean, status: number | null, error: string | null) => SendResult,
    /** Bots answer 200 with an error code in the body; returns the error or null. */
    bodyError?: (body: string) => string | null,
  ): Promise<SendResult> {
    try {
      this.guard.checkUrl(p.url);
      const res = await request(p.url, {
        dispatcher: this.guard.dispatcher,
        method: 'POST',
        headers: p.headers,
        body: p.body,
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
      });
      const text = (await res.body.text()).slice(0, 64 * 1024);
      if (res.statusCode < 200 || res.statusCode >= 300)
        return done(false, res.statusCode, `HTTP ${res.statusCode}${text ? `: ${clip(text)}` : ''}`);
      const err = bodyError?.(text) ?? null;
      return err ? done(false, res.statusCode, clip(err)) : done(true, res.statusCode, null);
    } catch (e) {
      return done(false, null, connectError(e));
    }
  }

  private async email(
    config: EmailConfig,
    password: string | undefined,
    m: AlertMessage,
    done: (ok: boolean, status: number | null, error: string | null) => SendResult,
  ): Promise<SendResult> {
    let target: { host: string; servername?: string };
    try {
      target = await this.guard.smtpTarget(config.host);
    } catch (e) {
      return done(false, null, connectError(e));
    }
    const security = config.security ?? 'auto';
    const transport = createTransport({
      host: target.host,
      port: config.port,
      secure: security === 'tls',
      requireTLS: security === 'starttls',
      ignoreTLS: security === 'none',
      // Connected to the checked address; TLS still presents and verifies the configured name.
      ...(target.servername ? { tls: { servername: target.servername } } : {}),
      auth: config.username ? { user: config.username, pass: password ?? '' } : undefined,
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
    try {
      const mail = buildEmail(config, m);
      await transport.sendMail(mail);
      return done(true, 250, null);
    } catch (e) {
      const err = e as Error & { responseCode?: number };
      return done(false, err.responseCode ?? null, clip(err.message));
    } finally {
      transport.close();
    }
  }
}

/** `{"errcode":310000,"errmsg":"sign not match"}` → "310000: sign not match"; code 0 → null. */
export function botError(body: string, codeField: string, msgField: string): string | null {
  try {
    const doc = JSON.parse(body) as Record<string, unknown>;
    const code = doc[codeField];
    if (code === undefined || code === 0) return null;
    return `${String(code)}: ${typeof doc[msgField] === 'string' ? (doc[msgField] as string) : 'error'}`;
  } catch {
    return null;
  }
}

/** A connect-phase error as shown in the delivery history; SSRF refusals say so first. */
function connectError(e: unknown): string {
  const err = e as Error & { code?: string };
  if (err instanceof TargetRefusedError) return `refused: ${err.message}`;
  return err.code ? `${err.code}: ${err.message}` : err.message;
}

function clip(s: string): string {
  return s.length > MAX_ERROR_BODY ? `${s.slice(0, MAX_ERROR_BODY)}…` : s;
}
