import type { CanonicalPart } from '../gateway/translate/canonical';
import type { Session, SessionMessage } from './session.entity';

const ROLE: Record<string, string> = { user: 'User', assistant: 'Assistant', tool: 'Tool' };

/** A fence longer than any backtick run in the text, so content cannot close it. */
function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}

function partMarkdown(p: CanonicalPart): string {
  switch (p.type) {
    case 'text':
      return p.text;
    case 'image':
      return p.url ? `![image](${p.url})` : `_[image${p.mediaType ? `: ${p.mediaType}` : ''}]_`;
    case 'thinking':
      return p.text ? `<details><summary>Thinking</summary>\n\n${p.text}\n\n</details>` : '';
    case 'tool_call':
      return `**Tool call** \`${p.name}\` (id \`${p.id}\`)\n\n${fence(p.arguments || '{}', 'json')}`;
    case 'tool_result': {
      const body =
        typeof p.content === 'string' ? p.content : p.content.map(partMarkdown).filter(Boolean).join('\n\n');
      return `**Tool result** for \`${p.toolCallId}\`${p.isError ? ' (error)' : ''}\n\n${fence(body)}`;
    }
    default:
      return '';
  }
}

/** The conversation as a Markdown document (title, metadata, system prompt, one section per message). */
export function renderMarkdown(s: Session, msgs: SessionMessage[]): string {
  const out: string[] = [`# ${s.title ?? 'Untitled session'}`, ''];
  out.push(`- Session: \`${s.id}\``);
  if (s.model) out.push(`- Model: ${s.model}`);
  out.push(`- Created: ${s.createdAt.toISOString()}`);
  out.push(`- Messages: ${s.messageCount}`, '');
  if (s.systemPrompt) out.push('## System', '', s.systemPrompt, '');
  if (s.summary) out.push(`## Summary of messages 0–${s.summaryThrough ?? 0}`, '', s.summary, '');
  for (const m of msgs) {
    out.push(`## ${ROLE[m.role] ?? m.role} (#${m.seq})`, '');
    out.push(m.content.map(partMarkdown).filter(Boolean).join('\n\n'), '');
  }
  return out.join('\n');
}
