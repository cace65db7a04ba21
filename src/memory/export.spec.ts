import { renderMarkdown } from './export';
import type { Session, SessionMessage } from './session.entity';

describe('renderMarkdown', () => {
  it('renders the title, system prompt, messages, tool calls and results; fences survive backticks', () => {
    const s = {
      id: 'id-1',
      title: 'Weather',
      model: 'm',
      systemPrompt: 'Be brief.',
      createdAt: new Date('2026-11-25T00:00:00Z'),
      messageCount: 3,
    } as Session;
    const msgs = [
      { seq: 0, role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        seq: 1,
        role: 'assistant',
        content: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      },
      { seq: 2, role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c1', content: 'sunny ``` 42' }] },
    ] as SessionMessage[];
    const md = renderMarkdown(s, msgs);
    expect(md).toContain('# Weather');
    expect(md).toContain('## System\n\nBe brief.');
    expect(md).toContain('## User (#0)\n\nWeather in Paris?');
    expect(md).toContain('**Tool call** `get_weather` (id `c1`)\n\n```json\n{"city":"Paris"}\n```');
    expect(md).toContain('````\nsunny ``` 42\n````');
  });
});
