import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import SessionsPage from './SessionsPage';
import { ConfirmHost } from '../components/overlays';
import { json, mockFetch, path, renderWithApp } from '../test/utils';

const session = {
  id: 's1aaaaaa-0000-0000-0000-000000000000',
  title: 'Lisbon trip',
  systemPrompt: null,
  model: 'gpt-4o',
  maxContextTokens: 8000,
  messageCount: 3,
  tokenCount: 42,
  userId: 'u',
  apiKeyId: 'k',
  trimmed: null,
  summary: null,
  summaryThrough: 0,
  lastMessageAt: '2026-11-25T21:00:00.000Z',
  createdAt: '2026-11-25T20:00:00.000Z',
  updatedAt: '2026-11-25T21:00:00.000Z',
};

describe('SessionsPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('searches, shows text, tool calls and tool results, and deletes after confirming', async () => {
    let sessions = [session];
    let deleted = false;
    const { calls } = mockFetch((req) => {
      const p = path(req);
      if (p === '/api/sessions')
        return json({ data: sessions, total: sessions.length, limit: 25, offset: 0 });
      if (p === `/api/sessions/${session.id}` && req.method === 'GET')
        return json({
          ...session,
          messages: [
            {
              seq: 1,
              role: 'user',
              content: [{ type: 'text', text: 'Weather in Lisbon?' }],
              tokens: 5,
              createdAt: session.createdAt,
            },
            {
              seq: 2,
              role: 'assistant',
              content: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: '{"city":"Lisbon"}' }],
              tokens: 9,
              createdAt: session.createdAt,
            },
            {
              seq: 3,
              role: 'tool',
              content: [
                { type: 'tool_result', toolCallId: 'c1', name: 'get_weather', content: 'Sunny, 21°C' },
              ],
              tokens: 4,
              createdAt: session.createdAt,
            },
          ],
        });
      if (p === `/api/sessions/${session.id}` && req.method === 'DELETE') {
        deleted = true;
        sessions = [];
        return new Response(null, { status: 204 });
      }
      return undefined;
    });
    renderWithApp(
      <>
        <SessionsPage />
        <ConfirmHost />
      </>,
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Search titles and messages'), 'lisbon');
    await waitFor(() =>
      expect(calls.some((c) => new URL(c.url).searchParams.get('q') === 'lisbon')).toBe(true),
    );
    await user.click(await screen.findByText('Lisbon trip'));
    const messages = await screen.findByTestId('session-messages');
    expect(messages).toHaveTextContent('Weather in Lisbon?');
    expect(within(messages).getByTestId('tool-call')).toHaveTextContent('get_weather');
    expect(within(messages).getByTestId('tool-call')).toHaveTextContent('"city": "Lisbon"');
    expect(within(messages).getByTestId('tool-result')).toHaveTextContent('Sunny, 21°C');
    const drawer = screen.getByRole('dialog', { name: 'Lisbon trip' });
    await user.click(within(drawer).getByRole('button', { name: 'Delete' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Delete session?' })).getByRole('button', {
        name: 'Delete',
      }),
    );
    await waitFor(() => expect(deleted).toBe(true));
    expect(await screen.findByText('No session matches')).toBeInTheDocument();
  });
});
