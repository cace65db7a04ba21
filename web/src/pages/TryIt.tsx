import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { KeyRound, Send, Sparkles } from 'lucide-react';
import { api, unwrap, type Schemas } from '../api/client';
import { Badge, Button, Card, Field, Input, Select, Textarea } from '../components/ui';
import { toast } from '../components/overlays';
import { usePrefs } from '../stores/prefs';
import { formatMs, statusTone } from '../lib/format';

interface TryResult {
  status: number;
  ms: number;
  text: string;
  model?: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  requestId?: string | null;
}

interface ChatCompletion {
  model?: string;
  choices?: { message?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  error?: { message?: string };
}

/** Sends a prompt through the real gateway (`POST /v1/chat/completions`) with a gateway API key. */
export async function sendTry(key: string, model: string, prompt: string): Promise<TryResult> {
  const started = performance.now();
  const res = await fetch(`${window.location.origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], max_tokens: 256 }),
  });
  const body = (await res.json().catch(() => ({}))) as ChatCompletion;
  const ms = performance.now() - started;
  return {
    status: res.status,
    ms,
    text: res.ok ? (body.choices?.[0]?.message?.content ?? '') : (body.error?.message ?? res.statusText),
    model: body.model,
    usage: body.usage,
    requestId: res.headers.get('x-request-id'),
  };
}

export function TryIt({ models }: { models: Schemas['ModelView'][] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { playgroundKey, setPlaygroundKey } = usePrefs();
  const chat = models.filter((m) => m.type === 'chat' && m.enabled);
  const [model, setModel] = useState('');
  const [prompt, setPrompt] = useState(() => t('tryIt.defaultPrompt'));
  const chosen = model || chat[0]?.name || '';

  const createKey = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/api-keys', {
          body: { name: `playground ${new Date().toISOString().slice(0, 16).replace('T', ' ')}` },
        }),
      ),
    onSuccess: (k) => {
      setPlaygroundKey(k.key);
      toast.success(t('tryIt.keyCreated', { prefix: k.prefix }));
      void qc.invalidateQueries({ queryKey: ['api-keys'] });
    },
    onError: (e: Error) => toast.error(e.message),
  });
  const send = useMutation({
    mutationFn: () => sendTry(playgroundKey.trim(), chosen, prompt),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['dashboard'] });
      void qc.invalidateQueries({ queryKey: ['logs'] });
    },
    onError: (e: Error) => toast.error(e.message),
  });
  const r = send.data;

  return (
    <Card className="p-5" data-testid="try-it">
      <div className="mb-4 flex items-center gap-2">
        <Sparkles className="size-4 text-primary" />
        <h2 className="text-[15px] font-semibold text-fg">{t('tryIt.title')}</h2>
      </div>
      <p className="mb-4 text-sm text-muted">{t('tryIt.body')}</p>
      <div className="grid gap-4 md:grid-cols-2">
        <Field label={t('tryIt.model')} htmlFor="try-model">
          <Select
            id="try-model"
            value={chosen}
            onChange={(e) => setModel(e.target.value)}
            disabled={!chat.length}
          >
            {chat.length === 0 ? <option value="">{t('tryIt.noModels')}</option> : null}
            {chat.map((m) => (
              <option key={m.id} value={m.name}>
                {m.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('tryIt.key')} htmlFor="try-key" hint={t('tryIt.keyHint')}>
          <div className="flex gap-2">
            <Input
              id="try-key"
              type="password"
              autoComplete="off"
              placeholder="sk-…"
              value={playgroundKey}
              onChange={(e) => setPlaygroundKey(e.target.value)}
            />
            <Button
              variant="secondary"
              loading={createKey.isPending}
              onClick={() => createKey.mutate()}
              icon={<KeyRound className="size-4" />}
              title={t('tryIt.createKeyHint')}
            >
              {t('tryIt.createKey')}
            </Button>
          </div>
        </Field>
        <div className="md:col-span-2">
          <Field label={t('tryIt.prompt')} htmlFor="try-prompt">
            <Textarea
              id="try-prompt"
              value={prompt}
              onChange={(e) => setPrompt(e.target.value)}
              onKeyDown={(e) => {
                if ((e.metaKey || e.ctrlKey) && e.key === 'Enter' && playgroundKey && chosen) send.mutate();
              }}
            />
          </Field>
        </div>
      </div>
      <div className="mt-4 flex items-center gap-3">
        <Button
          icon={<Send className="size-4" />}
          loading={send.isPending}
          disabled={!playgroundKey.trim() || !chosen || !prompt.trim()}
          onClick={() => send.mutate()}
        >
          {t('tryIt.send')}
        </Button>
        <span className="text-xs text-muted">{t('tryIt.shortcut')}</span>
      </div>
      {r ? (
        <div className="mt-5 rounded-2xl bg-fill p-4" data-testid="try-result" aria-live="polite">
          <div className="mb-2 flex flex-wrap items-center gap-2 text-xs">
            <Badge tone={statusTone(r.status)}>{r.status}</Badge>
            <Badge>{formatMs(r.ms)}</Badge>
            {r.model ? <Badge tone="primary">{r.model}</Badge> : null}
            {r.usage ? (
              <Badge>
                {t('tryIt.usage', {
                  input: r.usage.prompt_tokens ?? 0,
                  output: r.usage.completion_tokens ?? 0,
                })}
              </Badge>
            ) : null}
            {r.requestId ? <span className="font-mono text-muted">{r.requestId}</span> : null}
          </div>
          <p className="whitespace-pre-wrap text-sm text-fg">{r.text || '—'}</p>
        </div>
      ) : null}
    </Card>
  );
}
