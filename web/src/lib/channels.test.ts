import { describe, expect, it } from 'vitest';
import { buildChannel, draftFromChannel, EMPTY_CHANNEL } from './channels';

describe('alert channel form', () => {
  it('builds a webhook with its signing secret, and requires an http(s) URL', () => {
    const ok = buildChannel(
      { ...EMPTY_CHANNEL, name: ' ops ', url: 'https://hooks.example.com/a', signingSecret: 's3' },
      false,
    );
    expect(ok.errors).toEqual({});
    expect(ok.body).toEqual({
      name: 'ops',
      type: 'webhook',
      enabled: true,
      config: { url: 'https://hooks.example.com/a' },
      secrets: { signingSecret: 's3' },
    });
    expect(buildChannel({ ...EMPTY_CHANNEL, name: 'x', url: 'ftp://a' }, false).errors).toEqual({
      url: 'alerts.errUrl',
    });
  });

  it('needs a bot URL on create but keeps the stored one on edit when left empty', () => {
    const d = { ...EMPTY_CHANNEL, name: 'ding', type: 'dingtalk' as const };
    expect(buildChannel(d, false).errors).toEqual({ webhookUrl: 'alerts.errUrl' });
    const edit = buildChannel({ ...d, signSecret: 'SEC1' }, true);
    expect(edit.errors).toEqual({});
    expect(edit.body.secrets).toEqual({ signSecret: 'SEC1' });
    expect(
      buildChannel(
        { ...d, type: 'slack', signSecret: 'ignored', webhookUrl: 'https://hooks.slack.com/x' },
        false,
      ).body.secrets,
    ).toEqual({
      webhookUrl: 'https://hooks.slack.com/x',
    });
  });

  it('validates email settings and splits recipients', () => {
    const bad = buildChannel(
      { ...EMPTY_CHANNEL, name: 'mail', type: 'email', port: '99999', from: 'nope', to: '' },
      false,
    );
    expect(bad.errors).toEqual({
      host: 'alerts.errHost',
      port: 'alerts.errPort',
      from: 'alerts.errEmail',
      to: 'alerts.errRecipients',
    });
    const ok = buildChannel(
      {
        ...EMPTY_CHANNEL,
        name: 'mail',
        type: 'email',
        host: 'smtp.example.com',
        from: 'a@example.com',
        to: 'b@example.com; c@example.com',
        password: 'pw',
      },
      false,
    );
    expect(ok.errors).toEqual({});
    expect(ok.body.config).toEqual({
      host: 'smtp.example.com',
      port: 587,
      security: 'auto',
      from: 'a@example.com',
      to: ['b@example.com', 'c@example.com'],
    });
    expect(ok.body.secrets).toEqual({ password: 'pw' });
    expect(draftFromChannel({ name: 'mail', type: 'email', enabled: true, config: ok.body.config }).to).toBe(
      'b@example.com, c@example.com',
    );
  });
});
