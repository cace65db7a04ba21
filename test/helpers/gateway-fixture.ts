import OpenAI from 'openai';
import { LogWriter } from '../../src/logs/log-writer.service';
import { RequestLog } from '../../src/logs/request-log.entity';
import { DataSource } from 'typeorm';
import { bootApp, setupAdmin, TestApp } from './test-app';

/** A booted gateway with an admin token and helpers to configure providers, models and keys. */
export class GatewayFixture {
  t!: TestApp;
  admin!: string;
  baseURL!: string;

  async start(env: Record<string, string | undefined> = {}): Promise<void> {
    this.t = await bootApp(env);
    this.admin = await setupAdmin(this.t);
    const addr = this.t.app.getHttpServer().address() as { port: number };
    this.baseURL = `http://127.0.0.1:${addr.port}`;
  }

  async close(): Promise<void> {
    await this.t?.close();
  }

  private auth() {
    return { Authorization: `Bearer ${this.admin}` };
  }

  async provider(body: Record<string, unknown>): Promise<string> {
    const res = await this.t.http.post('/api/providers').set(this.auth()).send(body);
    if (res.status !== 201) throw new Error(`provider: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  async model(body: Record<string, unknown>): Promise<string> {
    const res = await this.t.http.post('/api/models').set(this.auth()).send(body);
    if (res.status !== 201) throw new Error(`model: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  async key(body: Record<string, unknown> = { name: 'test' }): Promise<string> {
    const res = await this.t.http.post('/api/api-keys').set(this.auth()).send(body);
    if (res.status !== 201) throw new Error(`key: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.key as string;
  }

  client(apiKey: string, opts: { maxRetries?: number; timeout?: number } = {}): OpenAI {
    return new OpenAI({
      apiKey,
      baseURL: `${this.baseURL}/v1`,
      maxRetries: opts.maxRetries ?? 0,
      timeout: opts.timeout ?? 20_000,
    });
  }

  /** Flushes the log buffer and returns every row, oldest first. */
  async logs(): Promise<RequestLog[]> {
    await this.t.app.get(LogWriter).flush();
    return this.t.app
      .get(DataSource)
      .getRepository(RequestLog)
      .find({ order: { createdAt: 'ASC' } });
  }
}
