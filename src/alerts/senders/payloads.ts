import type { Severity } from '../alert.entity';
import type { DingTalkConfig, EmailConfig, FeishuConfig, WebhookConfig } from './channel-config';
import { AlertMessage, contextLine, plainText, severityLabel, subjectLine } from './message';
import { dingtalkSign, feishuSign, webhookSignature } from './signing';

/** One HTTP POST a channel makes: the exact bytes, so signatures cover what is sent. */
export interface HttpPost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
const USER_AGENT = 'llm-router-platform-alerts/1';

/** The JSON document of the generic webhook. */
export function webhookDocument(m: AlertMessage): Record<string, unknown> {
  return {
    id: m.id,
    type: m.eventType === 'test' ? 'test' : 'alert',
    eventType: m.eventType,
    severity: m.severity,
    title: m.title,
    message: m.message,
    rule: m.rule,
    createdAt: m.createdAt.toISOString(),
    payload: m.payload,
  };
}

/** Generic webhook: JSON body; with a secret, `X-Alert-Timestamp` + `X-Signature` (see signing.ts). */
export function buildWebhook(
  config: WebhookConfig,
  signingSecret: string | undefined,
  m: AlertMessage,
  now: Date,
): HttpPost {
  const body = JSON.stringify(webhookDocument(m));
  const headers: Record<string, string> = {
    ...(config.headers ?? {}),
    ...JSON_HEADERS,
    'user-agent': USER_AGENT,
    'x-alert-id': m.id,
    'x-alert-event': m.eventType,
  };
  if (signingSecret) {
    const ts = String(Math.floor(now.getTime() / 1000));
    headers['x-alert-timestamp'] = ts;
    headers['x-signature'] = webhookSignature(signingSecret, ts, body);
  }
  return { url: config.url, headers, body };
}

const SLACK_EMOJI: Record<Severity, string> = {
  info: ':large_blue_circle:',
  warning: ':warning:',
  critical: ':rotating_light:',
};

/** Slack incoming webhook: `text` (notification fallback) and Block Kit `blocks`. */
export function buildSlack(webhookUrl: string, m: AlertMessage): HttpPost {
  const header = `${severityLabel(m.severity)}: ${m.title}`;
  const doc = {
    text: `${SLACK_EMOJI[m.severity]} ${subjectLine(m)}\n${m.message}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(header, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(m.message, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(contextLine(m), 3000) }] },
    ],
  };
  return {
    url: webhookUrl,
    headers: { ...JSON_HEADERS, 'user-agent': USER_AGENT },
    body: JSON.stringify(doc),
  };
}

/** DingTalk robot: a markdown message; with a secret, `timestamp` and `sign` query parameters. */
export function buildDingTalk(
  webhookUrl: string,
  signSecret: string | undefined,
  config: DingTalkConfig,
  m: AlertMessage,
  now: Date,
): HttpPost {
  const url = new URL(webhookUrl);
  if (signSecret) {
    const ts = now.getTime();
    url.searchParams.set('timestamp', String(ts));
    url.searchParams.set('sign', dingtalkSign(signSecret, ts));
  }
  const mentions = (config.atMobiles ?? []).map((p) => `@${p}`).join(' ');
  const text = [
    `### ${subjectLine(m)}`,
    '',
    m.message,
    '',
    `> ${contextLine(m)}`,
    ...(mentions ? ['', mentions] : []),
  ].join('\n');
  const doc = {
    msgtype: 'markdown',
    markdown: { title: truncate(subjectLine(m), 100), text },
    at: { atMobiles: config.atMobiles ?? [], isAtAll: config.atAll ?? false },
  };
  return {
    url: url.toString(),
    headers: { ...JSON_HEADERS, 'user-agent': USER_AGENT },
    body: JSON.stringify(doc),
  };
}

const FEISHU_TEMPLATE: Record<Severity, string> = { info: 'blue', warning: 'orange', critical: 'red' };

/** Feishu/Lark bot: `text` or an `interactive` card; with a secret, `timestamp` + `sign` in the body. */
export function buildFeishu(
  webhookUrl: string,
  signSecret: string | undefined,
  config: FeishuConfig,
  m: AlertMessage,
  now: Date,
): HttpPost {
  const signing: Record<string, string> = {};
  if (signSecret) {
    const ts = Math.floor(now.getTime() / 1000);
    signing.timestamp = String(ts);
    signing.sign = feishuSign(signSecret, ts);
  }
  const doc =
    (config.msgType ?? 'interactive') === 'text'
      ? { ...signing, msg_type: 'text', content: { text: plainText(m) } }
      : {
          ...signing,
          msg_type: 'interactive',
          card: {
            header: {
              title: { tag: 'plain_text', content: truncate(subjectLine(m), 200) },
              template: FEISHU_TEMPLATE[m.severity],
            },
            elements: [
              { tag: 'div', text: { tag: 'lark_md', content: m.message } },
              { tag: 'note', elements: [{ tag: 'plain_text', content: contextLine(m) }] },
            ],
          },
        };
  return {
    url: webhookUrl,
    headers: { ...JSON_HEADERS, 'user-agent': USER_AGENT },
    body: JSON.stringify(doc),
  };
}

/** An email: subject, plain text and a simple HTML part. */
export interface EmailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

const HTML_COLOR: Record<Severity, string> = { info: '#0a84ff', warning: '#ff9f0a', critical: '#ff3b30' };

export function buildEmail(config: EmailConfig, m: AlertMessage): EmailMessage {
  const html = [
    '<!doctype html><html><body style="font-family:-apple-system,Helvetica,Arial,sans-serif;color:#1d1d1f">',
    `<p style="margin:0 0 8px;font-size:12px;font-weight:600;color:${HTML_COLOR[m.severity]}">${escapeHtml(severityLabel(m.severity))}</p>`,
    `<h2 style="margin:0 0 12px;font-size:18px">${escapeHtml(m.title)}</h2>`,
    `<p style="white-space:pre-wrap;margin:0 0 16px">${escapeHtml(m.message)}</p>`,
    `<p style="font-size:12px;color:#6e6e73;margin:0">${escapeHtml(contextLine(m))}<br>alert id: ${escapeHtml(m.id)}</p>`,
    '</body></html>',
  ].join('');
  return { from: config.from, to: config.to, subject: subjectLine(m), text: plainText(m), html };
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
