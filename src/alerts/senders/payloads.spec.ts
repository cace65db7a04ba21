import { createHmac } from 'node:crypto';
import { channelProblems } from './channel-config';
import { botError } from './channel-sender';
import type { AlertMessage } from './message';
import { buildDingTalk, buildEmail, buildFeishu, buildSlack, buildWebhook, escapeHtml } from './payloads';
import { dingtalkSign, feishuSign, webhookSignature } from './signing';

const now = new Date('2026-11-25T12:00:00.000Z');
const msg: AlertMessage = {
  id: '7d3f0c1e-0000-4000-8000-000000000001',
  eventType: 'provider.unhealthy',
  severity: 'critical',
  title: 'Provider openai-main is unhealthy',
  message: 'openai-main went healthy → unhealthy (active check): HTTP 500',
  createdAt: now,
  payload: { providerId: 'p1', error: 'HTTP 500' },
  rule: 'upstream down',
};
const context = 'event: provider.unhealthy · rule: upstream down · at: 2026-11-25T12:00:00.000Z';

describe('generic webhook', () => {
  it('posts the alert as JSON with a timestamped HMAC-SHA256 signature over the raw body', () => {
    const p = buildWebhook(
      { url: 'https://hooks.example.com/in', headers: { 'X-Team': 'ops' } },
      'whsec-123456',
      msg,
      now,
    );
    expect(p.url).toBe('https://hooks.example.com/in');
    expect(JSON.parse(p.body)).toEqual({
      id: msg.id,
      type: 'alert',
      eventType: 'provider.unhealthy',
      severity: 'critical',
      title: 'Provider openai-main is unhealthy',
      message: 'openai-main went healthy → unhealthy (active check): HTTP 500',
      rule: 'upstream down',
      createdAt: '2026-11-25T12:00:00.000Z',
      payload: { providerId: 'p1', error: 'HTTP 500' },
    });
    expect(p.headers).toMatchObject({
      'X-Team': 'ops',
      'content-type': 'application/json; charset=utf-8',
      'x-alert-id': msg.id,
      'x-alert-event': 'provider.unhealthy',
      'x-alert-timestamp': '1795608000',
    });
    const expected = createHmac('sha256', 'whsec-123456').update(`1795608000.${p.body}`).digest('hex');
    expect(p.headers['x-signature']).toBe(`sha256=${expected}`);
    expect(webhookSignature('whsec-123456', '1795608000', p.body)).toBe(p.headers['x-signature']);
  });

  it('sends no signature headers without a secret and marks tests as such', () => {
    const p = buildWebhook({ url: 'http://127.0.0.1:9/x' }, undefined, { ...msg, eventType: 'test' }, now);
    expect(p.headers['x-signature']).toBeUndefined();
    expect(p.headers['x-alert-timestamp']).toBeUndefined();
    expect(JSON.parse(p.body).type).toBe('test');
  });

  it('has a stable signature for known input (golden)', () => {
    expect(webhookSignature('secret', '1700000000', '{"a":1}')).toBe(
      `sha256=${createHmac('sha256', 'secret').update('1700000000.{"a":1}').digest('hex')}`,
    );
    expect(webhookSignature('secret', '1700000000', '{"a":1}')).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

describe('Slack', () => {
  it('builds text plus header/section/context blocks', () => {
    const p = buildSlack('https://hooks.slack.com/services/T0/B0/xyz', msg);
    expect(p.url).toBe('https://hooks.slack.com/services/T0/B0/xyz');
    expect(JSON.parse(p.body)).toEqual({
      text: ':rotating_light: [CRITICAL] Provider openai-main is unhealthy\nopenai-main went healthy → unhealthy (active check): HTTP 500',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: 'CRITICAL: Provider openai-main is unhealthy', emoji: true },
        },
        { type: 'section', text: { type: 'mrkdwn', text: msg.message } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
      ],
    });
  });

  it('truncates the header to Slack’s 150 characters', () => {
    const p = buildSlack('https://hooks.slack.com/x', { ...msg, title: 'x'.repeat(400) });
    const header = (JSON.parse(p.body) as { blocks: { text: { text: string } }[] }).blocks[0].text.text;
    expect(header.length).toBe(150);
    expect(header.endsWith('…')).toBe(true);
  });
});

describe('DingTalk', () => {
  it('signs with HMAC-SHA256(timestamp\\nsecret) → base64 → url-encoded query params', () => {
    const p = buildDingTalk(
      'https://oapi.dingtalk.com/robot/send?access_token=abc',
      'SEC-dingtalk-secret',
      { atMobiles: ['13800000000'] },
      msg,
      now,
    );
    const url = new URL(p.url);
    expect(url.origin + url.pathname).toBe('https://oapi.dingtalk.com/robot/send');
    expect(url.searchParams.get('access_token')).toBe('abc');
    const ts = String(now.getTime());
    expect(url.searchParams.get('timestamp')).toBe(ts);
    const sign = createHmac('sha256', 'SEC-dingtalk-secret')
      .update(`${ts}\nSEC-dingtalk-secret`)
      .digest('base64');
    expect(url.searchParams.get('sign')).toBe(sign);
    // On the wire the base64 is percent-encoded (+, / and = never appear raw).
    expect(p.url).toContain(`sign=${encodeURIComponent(sign)}`);
    expect(dingtalkSign('SEC-dingtalk-secret', now.getTime())).toBe(sign);
    expect(JSON.parse(p.body)).toEqual({
      msgtype: 'markdown',
      markdown: {
        title: '[CRITICAL] Provider openai-main is unhealthy',
        text: `### [CRITICAL] Provider openai-main is unhealthy\n\n${msg.message}\n\n> ${context}\n\n@13800000000`,
      },
      at: { atMobiles: ['13800000000'], isAtAll: false },
    });
  });

  it('leaves the URL alone without a secret', () => {
    const p = buildDingTalk('https://oapi.dingtalk.com/robot/send?access_token=abc', undefined, {}, msg, now);
    expect(p.url).toBe('https://oapi.dingtalk.com/robot/send?access_token=abc');
  });
});

describe('Feishu', () => {
  it('signs with key timestamp\\nsecret over an empty message and sends an interactive card', () => {
    const p = buildFeishu('https://open.feishu.cn/open-apis/bot/v2/hook/tok', 'feishu-secret', {}, msg, now);
    const body = JSON.parse(p.body);
    const ts = Math.floor(now.getTime() / 1000);
    const sign = createHmac('sha256', `${ts}\nfeishu-secret`).update('').digest('base64');
    expect(body).toEqual({
      timestamp: String(ts),
      sign,
      msg_type: 'interactive',
      card: {
        header: {
          title: { tag: 'plain_text', content: '[CRITICAL] Provider openai-main is unhealthy' },
          template: 'red',
        },
        elements: [
          { tag: 'div', text: { tag: 'lark_md', content: msg.message } },
          { tag: 'note', elements: [{ tag: 'plain_text', content: context }] },
        ],
      },
    });
    expect(feishuSign('feishu-secret', ts)).toBe(sign);
  });

  it('sends text messages when configured, unsigned without a secret', () => {
    const body = JSON.parse(buildFeishu('https://x/hook', undefined, { msgType: 'text' }, msg, now).body);
    expect(body).toEqual({
      msg_type: 'text',
      content: {
        text: `[CRITICAL] Provider openai-main is unhealthy\n\n${msg.message}\n\n${context}\nalert id: ${msg.id}`,
      },
    });
  });
});

describe('email', () => {
  it('has a subject, a text part and an escaped HTML part', () => {
    const mail = buildEmail(
      { host: 'smtp.example.com', port: 587, from: 'Gateway <alerts@example.com>', to: ['ops@example.com'] },
      { ...msg, message: 'latency <high> & rising' },
    );
    expect(mail.from).toBe('Gateway <alerts@example.com>');
    expect(mail.to).toEqual(['ops@example.com']);
    expect(mail.subject).toBe('[CRITICAL] Provider openai-main is unhealthy');
    expect(mail.text).toContain('latency <high> & rising');
    expect(mail.html).toContain('latency &lt;high&gt; &amp; rising');
    expect(mail.html).toContain(
      '<h2 style="margin:0 0 12px;font-size:18px">Provider openai-main is unhealthy</h2>',
    );
    expect(escapeHtml(`"'`)).toBe('&quot;&#39;');
  });
});

describe('bot answers', () => {
  it('reads DingTalk and Feishu error codes from 200 answers', () => {
    expect(botError('{"errcode":0,"errmsg":"ok"}', 'errcode', 'errmsg')).toBeNull();
    expect(botError('{"errcode":310000,"errmsg":"sign not match"}', 'errcode', 'errmsg')).toBe(
      '310000: sign not match',
    );
    expect(botError('{"code":19021,"msg":"sign match fail"}', 'code', 'msg')).toBe('19021: sign match fail');
    expect(botError('not json', 'code', 'msg')).toBeNull();
  });
});

describe('channelProblems', () => {
  it('accepts valid settings per type', () => {
    expect(
      channelProblems('webhook', { url: 'http://127.0.0.1:8080/hook' }, { signingSecret: 'long-enough' }),
    ).toEqual([]);
    expect(channelProblems('slack', {}, { webhookUrl: 'https://hooks.slack.com/services/a' })).toEqual([]);
    expect(
      channelProblems(
        'email',
        { host: 'smtp.example.com', port: 587, from: 'a@example.com', to: ['b@example.com'] },
        {},
      ),
    ).toEqual([]);
  });

  it('names every problem', () => {
    expect(channelProblems('webhook', { url: 'ftp://x' }, { signingSecret: 'short' })).toEqual([
      'config.url must be an http(s) URL',
      'secrets.signingSecret must be at least 8 characters',
    ]);
    expect(channelProblems('slack', {}, {})).toEqual(['secrets.webhookUrl must be an http(s) URL']);
    const email = channelProblems('email', { host: '', port: 0, from: 'a@b.c', to: ['not-an-email'] }, {});
    expect(email).toEqual(
      expect.arrayContaining([
        'config.host is required',
        'config.port must be an integer between 1 and 65535',
        'config.to must hold email addresses',
      ]),
    );
    expect(channelProblems('feishu', { bogus: 1 }, { webhookUrl: 'https://x.test/h' })).toEqual([
      'config.property bogus should not exist',
    ]);
    expect(
      channelProblems('webhook', { url: 'https://x.test', headers: { 'X-Signature': 'forged' } }, {}),
    ).toEqual(['config.headers.X-Signature is set by the gateway']);
    expect(channelProblems('webhook', { url: 'https://x.test', headers: { 'bad name': 'v' } }, {})).toEqual([
      'config.headers.bad name must be a valid header name with a single-line string value',
    ]);
  });
});
