import type { AlertEventType, Severity } from '../alert.entity';

/** What every channel renders: one fired alert (or a channel test). */
export interface AlertMessage {
  /** The alert id (or `test-…` for a channel test). */
  id: string;
  eventType: AlertEventType | 'test';
  severity: Severity;
  title: string;
  message: string;
  createdAt: Date;
  payload: Record<string, unknown>;
  /** Name of the rule that fired it. */
  rule: string | null;
}

const SEVERITY_LABEL: Record<Severity, string> = { info: 'INFO', warning: 'WARNING', critical: 'CRITICAL' };

export function severityLabel(s: Severity): string {
  return SEVERITY_LABEL[s];
}

/** `[CRITICAL] Provider openai-main is unhealthy` */
export function subjectLine(m: AlertMessage): string {
  return `[${severityLabel(m.severity)}] ${m.title}`;
}

/** The footer line every channel shows: event, rule, time. */
export function contextLine(m: AlertMessage): string {
  const parts = [`event: ${m.eventType}`];
  if (m.rule) parts.push(`rule: ${m.rule}`);
  parts.push(`at: ${m.createdAt.toISOString()}`);
  return parts.join(' · ');
}

/** Plain-text body (email text part, Feishu text, Slack fallback). */
export function plainText(m: AlertMessage): string {
  return `${subjectLine(m)}\n\n${m.message}\n\n${contextLine(m)}\nalert id: ${m.id}`;
}
