import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import SettingsPage, { SERVER_ENV } from './SettingsPage';
import { renderWithApp } from '../test/utils';
import i18n from '../i18n';

describe('SettingsPage server section', () => {
  it('names the variable behind each server setting, its default, and that a restart applies it', () => {
    renderWithApp(<SettingsPage />, '/settings');
    expect(screen.getByRole('note')).toHaveTextContent(
      'The server reads them when it starts: to change one, set the variable and restart the server.',
    );
    const list = screen.getByRole('list', { name: 'Server' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((r) => r.querySelector('div')?.firstChild?.textContent)).toEqual([
      'Log retention',
      'Body logging',
      'Health check interval',
    ]);
    expect(rows[0]).toHaveTextContent('LOG_RETENTION_DAYSdefault 30');
    expect(rows[1]).toHaveTextContent('LOG_BODIESdefault false');
    expect(rows[1]).toHaveTextContent('LOG_BODY_MAX_BYTESdefault 16384');
    expect(rows[2]).toHaveTextContent('HEALTH_CHECK_INTERVAL_MSdefault 60000');
    // Read-only: nothing to edit there.
    expect(within(list).queryByRole('textbox')).not.toBeInTheDocument();
    expect(within(list).queryByRole('switch')).not.toBeInTheDocument();
  });

  it('says the same in Chinese', async () => {
    await i18n.changeLanguage('zh');
    try {
      renderWithApp(<SettingsPage />, '/settings');
      expect(screen.getByRole('note')).toHaveTextContent('重启服务器');
      expect(screen.getByRole('list', { name: '服务器' })).toHaveTextContent('LOG_RETENTION_DAYS默认 30');
    } finally {
      await i18n.changeLanguage('en');
    }
  });

  it('lists the defaults that .env.example documents', () => {
    const example = readFileSync(join(__dirname, '../../../.env.example'), 'utf8');
    for (const v of Object.values(SERVER_ENV).flat())
      expect(example, v.name).toMatch(new RegExp(`^# ${v.name}=${v.default}$`, 'm'));
  });
});
