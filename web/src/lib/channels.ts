export type ChannelType = 'webhook' | 'slack' | 'dingtalk' | 'feishu' | 'email';
export const CHANNEL_TYPES: ChannelType[] = ['webhook', 'slack', 'dingtalk', 'feishu', 'email'];

/** The editable fields of every channel type (only the type's own ones are sent). */
export interface ChannelDraft {
  name: string;
  type: ChannelType;
  enabled: boolean;
  url: string; // webhook
  signingSecret: string; // webhook (secret)
  webhookUrl: string; // slack/dingtalk/feishu (secret: carries the token)
  signSecret: string; // dingtalk/feishu (secret)
  host: string; // email
  port: string;
  security: 'auto' | 'tls' | 'starttls' | 'none';
  from: string;
  to: string;
  username: string;
  password: string; // email (secret)
}

export const EMPTY_CHANNEL: ChannelDraft = {
  name: '',
  type: 'webhook',
  enabled: true,
  url: '',
  signingSecret: '',
  webhookUrl: '',
  signSecret: '',
  host: '',
  port: '587',
  security: 'auto',
  from: '',
  to: '',
  username: '',
  password: '',
};

const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};
const isEmail = (s: string) => /^[^\s@]+@[^\s@]+$/.test(s);

/**
 * Builds the create/update body for a channel and checks it. Secrets left empty are not sent (on
 * edit that keeps the stored value; on create a required one is an error). Returns i18n error keys.
 */
export function buildChannel(
  d: ChannelDraft,
  editing: boolean,
): {
  body: {
    name: string;
    type: ChannelType;
    enabled: boolean;
    config: Record<string, unknown>;
    secrets: Record<string, string>;
  };
  errors: Partial<Record<keyof ChannelDraft, string>>;
} {
  const errors: Partial<Record<keyof ChannelDraft, string>> = {};
  const config: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  if (!d.name.trim()) errors.name = 'alerts.errName';
  const secret = (k: 'signingSecret' | 'webhookUrl' | 'signSecret' | 'password') => {
    if (d[k].trim()) secrets[k] = d[k].trim();
  };
  if (d.type === 'webhook') {
    if (!isHttpUrl(d.url.trim())) errors.url = 'alerts.errUrl';
    config.url = d.url.trim();
    secret('signingSecret');
  } else if (d.type === 'email') {
    const port = Number(d.port);
    if (!d.host.trim()) errors.host = 'alerts.errHost';
    if (!Number.isInteger(port) || port < 1 || port > 65535) errors.port = 'alerts.errPort';
    if (!isEmail(d.from.trim())) errors.from = 'alerts.errEmail';
    const to = d.to
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (!to.length || to.some((x) => !isEmail(x))) errors.to = 'alerts.errRecipients';
    Object.assign(config, { host: d.host.trim(), port, security: d.security, from: d.from.trim(), to });
    if (d.username.trim()) config.username = d.username.trim();
    secret('password');
  } else {
    if (d.webhookUrl.trim() && !isHttpUrl(d.webhookUrl.trim())) errors.webhookUrl = 'alerts.errUrl';
    if (!editing && !d.webhookUrl.trim()) errors.webhookUrl = 'alerts.errUrl';
    secret('webhookUrl');
    if (d.type !== 'slack') secret('signSecret');
  }
  return { body: { name: d.name.trim(), type: d.type, enabled: d.enabled, config, secrets }, errors };
}

/** Fills a draft from a stored channel (secrets stay empty: they are only shown masked). */
export function draftFromChannel(c: {
  name: string;
  type: ChannelType;
  enabled: boolean;
  config: Record<string, unknown>;
}): ChannelDraft {
  const cfg = c.config ?? {};
  const str = (k: string) => (typeof cfg[k] === 'string' ? (cfg[k] as string) : '');
  return {
    ...EMPTY_CHANNEL,
    name: c.name,
    type: c.type,
    enabled: c.enabled,
    url: str('url'),
    host: c.type === 'email' ? str('host') : '',
    port: typeof cfg.port === 'number' ? String(cfg.port) : EMPTY_CHANNEL.port,
    security: (str('security') || 'auto') as ChannelDraft['security'],
    from: str('from'),
    to: Array.isArray(cfg.to) ? (cfg.to as string[]).join(', ') : '',
    username: str('username'),
  };
}
