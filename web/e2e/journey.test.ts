/**
 * The dashboard journey in a real Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
 * first-run setup → sign in → mock providers → a model with two routes → an API key → "Try it"
 * through the gateway → the request on the dashboard and in the logs → dark mode and Chinese.
 * Saves screenshots of every page, light and dark, to docs/screenshots/.
 *
 * Needs the built backend (`npm run build`) and dashboard (`npm --prefix web run build`);
 * the root script `npm run test:web-e2e` does both and runs this file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const shots = process.env.SCREENSHOTS_DIR
  ? resolve(process.env.SCREENSHOTS_DIR)
  : join(root, 'docs/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { email: 'admin@example.com', password: 'journey-password-1' };

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function waitForHealth(url: string, proc: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (proc.exitCode !== null) throw new Error(`backend exited (${proc.exitCode}):\n${output()}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`backend did not become healthy:\n${output()}`);
}

describe('dashboard journey in Chromium', () => {
  let backend: ChildProcess;
  let base: string;
  let dataDir: string;
  let profile: string;
  let ctx: BrowserContext;
  let page: Page;
  let log = '';
  let secret = '';

  const shot = async (name: string) => {
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.waitForTimeout(350); // let transitions settle
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  };
  const nav = async (label: RegExp) => {
    await page.getByRole('navigation').getByRole('link', { name: label }).click();
  };

  beforeAll(async () => {
    expect(existsSync(join(root, 'dist/src/main.js')), 'run `npm run build` first').toBe(true);
    expect(existsSync(join(root, 'web/dist/index.html')), 'run `npm --prefix web run build` first').toBe(
      true,
    );
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
    mkdirSync(shots, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'lrp-journey-data-'));
    profile = mkdtempSync(join(tmpdir(), 'lrp-journey-chromium-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      BCRYPT_ROUNDS: '4',
      LOG_BODIES: 'true',
      WEB_DIST_DIR: join(root, 'web/dist'),
    };
    for (const k of [
      'DATABASE_URL',
      'REDIS_URL',
      'ADMIN_EMAIL',
      'ADMIN_PASSWORD',
      'DEMO',
      'JWT_SECRET',
      'ENCRYPTION_KEY',
    ])
      delete env[k];
    backend = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    backend.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    backend.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await waitForHealth(base, backend, () => log);
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1360, height: 860 },
      locale: 'en-US',
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(15_000);
  });

  afterEach(async (t) => {
    if (t.task.result?.state === 'fail' && page)
      await page
        .screenshot({ path: join(tmpdir(), `lrp-journey-failure-${Date.now()}.png`) })
        .catch(() => undefined);
  });

  afterAll(async () => {
    await ctx?.close();
    if (backend && backend.exitCode === null) {
      backend.kill('SIGTERM');
      await new Promise((r) => backend.once('exit', r));
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('first run: creates the admin, signs out and signs in again', async () => {
    await page.goto(base + '/');
    await expect.poll(() => page.url()).toContain('/login');
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    await shot('setup-light');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText('Connect your first provider').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('login-light');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  it('adds two mock providers', async () => {
    await nav(/Providers/);
    await page.getByText('No providers yet').waitFor();
    await shot('providers-empty-light');
    for (const [name, config] of [
      ['mock-primary', ''],
      ['mock-backup', '{ "latencyMs": 40 }'],
    ]) {
      await page.getByRole('button', { name: 'Add provider' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Add provider' });
      await dialog.getByLabel('Name').fill(name);
      await dialog.getByLabel('Type').selectOption('mock');
      if (config) await dialog.getByLabel('Settings (JSON)').fill(config);
      await dialog.getByRole('button', { name: 'Validate' }).click();
      await dialog.getByText('Looks good').waitFor();
      await dialog.getByRole('button', { name: 'Create' }).click();
      await page.getByText(`Provider ${name} created`).waitFor();
      await dialog.waitFor({ state: 'detached' });
    }
    await page.getByTestId('provider-mock-backup').waitFor();
    await page.getByTestId('provider-mock-primary').getByRole('button', { name: 'Test' }).click();
    const test = page.getByRole('dialog', { name: /Test mock-primary/ });
    await test.getByLabel('Upstream model').fill('mock-small');
    await test.getByRole('button', { name: 'Run test' }).click();
    await test.getByTestId('probe-results').waitFor();
    await test.getByRole('button', { name: 'Close' }).first().click();
  });

  it('adds a model with two routes', async () => {
    await nav(/Models/);
    await page.getByText('No models yet').waitFor();
    await page.getByRole('button', { name: 'Add model' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add model' });
    await dialog.getByLabel('Public name').fill('demo-chat');
    await dialog.getByLabel('Routing strategy').selectOption('priority');
    const r0 = dialog.getByTestId('route-draft-0');
    await r0.getByLabel('Provider').selectOption({ label: 'mock-primary' });
    await r0.getByLabel('Upstream model').fill('mock-small');
    await r0.getByLabel('Priority').fill('1');
    await dialog.getByRole('button', { name: 'Add route' }).click();
    const r1 = dialog.getByTestId('route-draft-1');
    await r1.getByLabel('Provider').selectOption({ label: 'mock-backup' });
    await r1.getByLabel('Upstream model').fill('mock-large');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByText('Model demo-chat created').waitFor();
    const card = page.getByTestId('model-demo-chat');
    await card.getByText('2 routes').waitFor();
    await card.getByText('mock-small').waitFor();
    await card.getByText('mock-large').waitFor();
  });

  it('creates an API key and copies its secret once', async () => {
    await nav(/API keys/);
    await page.getByText('No API keys yet').waitFor();
    await page.getByRole('button', { name: 'Create key' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create key' });
    await dialog.getByLabel('Name').fill('journey-key');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    secret = (await shown.getByTestId('new-key-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^sk-/);
    await shot('keys-created-light');
    await shown.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('key-journey-key').waitFor();
  });

  it('prices the model so the request has a cost', async () => {
    await nav(/Usage/);
    await page.getByRole('heading', { name: 'Usage & billing', exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Prices' }).click();
    await page.getByRole('button', { name: 'Add seed prices' }).first().click();
    await page.getByText(/^Added \d+ prices?$/).waitFor();
    await page.getByRole('button', { name: 'Add price' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add price' });
    await dialog.getByLabel('Model').fill('demo-chat');
    await dialog.getByLabel('Input $/1M', { exact: true }).fill('20000');
    await dialog.getByLabel('Output $/1M', { exact: true }).fill('40000');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Price for demo-chat saved').waitFor();
    await dialog.waitFor({ state: 'detached' });
    await page.getByLabel('Search models').fill('demo');
    await page.getByRole('cell', { name: 'demo-chat' }).waitFor();
    await shot('prices-light');
  });

  it('sends a request with the "Try it" box', async () => {
    await nav(/Models/);
    const box = page.getByTestId('try-it');
    await box.getByLabel('Gateway API key').fill(secret);
    await box.getByLabel('Prompt').fill('Hello from the journey');
    await box.getByRole('button', { name: 'Send' }).click();
    const result = page.getByTestId('try-result');
    await result.waitFor();
    await result.getByText('200', { exact: true }).waitFor();
    await result.getByText('echo: Hello from the journey').waitFor();
    await result.getByText('demo-chat', { exact: true }).waitFor();
  });

  it('shows the request on the dashboard and in the logs', async () => {
    await nav(/Dashboard/);
    // Request logs are written in batches: reload until the dashboard counts the request.
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
          await page.getByText('Success rate').waitFor(); // the figures are rendered once loaded
          return page.getByText('Top models').locator('..').getByText('demo-chat').count();
        },
        { timeout: 20_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
    await nav(/Logs/);
    const row = page.getByTestId('log-row').filter({ hasText: 'demo-chat' }).first();
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('journey-key');
    await row.click();
    const drawer = page.getByTestId('log-detail');
    await drawer.getByText('1 attempt').waitFor();
    await drawer.getByText('mock-primary').first().waitFor();
    await drawer.getByText('Hello from the journey').first().waitFor();
    await shot('log-detail-light');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    // CSV export of the (filtered) rows, downloaded with the signed-in session.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^request-logs-.*\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(/^createdAt,requestId,protocol,endpoint/);
    expect(csv.filter((l) => l.includes('demo-chat'))).toHaveLength(1);
  });

  it("shows the request's cost in Usage & billing and creates a budget for the key", async () => {
    await nav(/Usage/);
    // The usage ledger is written in batches: reload until the report has the request's cost.
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole('heading', { name: 'Usage & billing', exact: true }).waitFor();
          const cost = page.getByTestId('total-cost');
          await cost.waitFor();
          return (await cost.textContent())?.trim();
        },
        { timeout: 30_000, interval: 1500 },
      )
      .not.toBe('$0.00');
    await page.getByTestId('report-table').getByText('demo-chat').waitFor();
    await page.getByTestId('cost-chart').locator('.recharts-bar-rectangle').first().waitFor();
    await page.getByLabel('Group by').selectOption('key');
    await page.getByTestId('report-table').getByText('journey-key').waitFor();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);

    await page.getByRole('tab', { name: 'Budgets' }).click();
    await page.getByText('No budgets').waitFor();
    await page.getByRole('button', { name: 'New budget' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New budget' });
    await dialog.getByLabel('Applies to').selectOption('key');
    await dialog.getByLabel('Which one').selectOption({ label: 'journey-key' });
    await dialog.getByLabel('Limit (USD)').fill('500');
    await dialog.getByLabel('Period').selectOption('monthly');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Budget saved').waitFor();
    const budget = page.getByTestId('budget-journey-key');
    await budget.waitFor();
    await expect.poll(() => budget.textContent()).toMatch(/Spent \$[0-9.]+/);
    await shot('budgets-light');
  });

  it('checks provider health now', async () => {
    await nav(/Health/);
    const card = page.getByTestId('health-provider-mock-primary');
    await card.waitFor();
    await card.getByRole('button', { name: 'Check now' }).click();
    await page.getByText(/^mock-primary: (Healthy|Degraded|Unhealthy)$/).waitFor();
    await card
      .getByText(/Healthy|Degraded|Unhealthy/)
      .first()
      .waitFor();
  });

  it('creates an alert channel and a rule', async () => {
    await nav(/Alerts/);
    await page.getByText('No alert channels').waitFor();
    await page.getByRole('button', { name: 'New channel' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New channel' });
    await dialog.getByLabel('Name').fill('ops-webhook');
    await dialog.getByLabel('Type').selectOption('webhook');
    await dialog.getByLabel('Webhook URL').fill('https://hooks.example.com/alerts');
    await dialog.getByLabel('Signing secret').fill('journey-signing-secret');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Channel ops-webhook saved').waitFor();
    await page.getByTestId('channel-ops-webhook').waitFor();

    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).first().click();
    const rule = page.getByRole('dialog', { name: 'New rule' });
    await rule.getByLabel('Name').fill('upstream down');
    await rule.getByLabel('Event').selectOption('provider.unhealthy');
    await rule.getByLabel('ops-webhook').check();
    await rule.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Rule upstream down saved').waitFor();
    await page.getByTestId('rule-upstream down').getByText('ops-webhook').waitFor();
    await shot('alert-rules-light');
  });

  it('adds a proxy to the pool', async () => {
    await nav(/Proxy pool/);
    await page.getByText('No proxies').first().waitFor();
    await page.getByRole('button', { name: 'Add proxy' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add proxy' });
    await dialog.getByLabel('Name', { exact: true }).fill('eu-egress-1');
    await dialog.getByLabel('URL', { exact: true }).fill('http://proxy.internal:3128');
    await dialog.getByLabel('Username').fill('egress');
    await dialog.getByLabel('Password').fill('journey-proxy-pass');
    await dialog.getByLabel('Tags').fill('eu');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Proxy eu-egress-1 saved').waitFor();
    const row = page.getByTestId('proxy-eu-egress-1');
    await row.waitFor();
    expect(await row.textContent()).not.toContain('journey-proxy-pass');
  });

  it('views sessions', async () => {
    await nav(/Sessions/);
    await page.getByRole('heading', { name: 'Sessions', exact: true }).waitFor();
    await page.getByText('No sessions yet').waitFor();
  });

  const pages: [string, RegExp, string][] = [
    ['dashboard', /Dashboard/, 'Dashboard'],
    ['providers', /Providers/, 'Providers'],
    ['models', /Models/, 'Models & routes'],
    ['keys', /API keys/, 'API keys'],
    ['logs', /Logs/, 'Logs'],
    ['usage', /Usage/, 'Usage & billing'],
    ['sessions', /Sessions/, 'Sessions'],
    ['alerts', /Alerts/, 'Alerts'],
    ['proxies', /Proxy pool/, 'Proxy pool'],
    ['health', /Health/, 'Health'],
    ['users', /Users/, 'Users'],
    ['settings', /Settings/, 'Settings'],
  ];

  it('screenshots every page in light mode', async () => {
    for (const [file, link, heading] of pages) {
      await nav(link);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await shot(`${file}-light`);
    }
  });

  it('switches to dark mode (persisted) and screenshots every page', async () => {
    await page.getByRole('radio', { name: 'Dark' }).first().click();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.classList.contains('dark')))
      .toBe(true);
    await page.reload();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.classList.contains('dark')))
      .toBe(true);
    for (const [file, link, heading] of pages) {
      await nav(link);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await shot(`${file}-dark`);
    }
    await nav(/Logs/);
    await page.getByTestId('log-row').first().click();
    await page.getByTestId('log-detail').waitFor();
    await shot('log-detail-dark');
    await page.keyboard.press('Escape');
  });

  it('switches to Chinese (persisted)', async () => {
    await page.getByTestId('language-toggle').first().click();
    await page.getByRole('navigation').getByRole('link', { name: '概览' }).waitFor();
    await page.reload();
    await page.getByRole('navigation').getByRole('link', { name: '概览' }).click();
    await page.getByRole('heading', { name: '概览' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await shot('dashboard-zh-dark');
    await page.getByRole('navigation').getByRole('link', { name: '模型与路由' }).click();
    await page.getByRole('heading', { name: '模型与路由' }).waitFor();
    await shot('models-zh-dark');
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await shot('login-zh-dark');
  });

  it('works at phone width', async () => {
    await page.getByTestId('language-toggle').first().click();
    await page.getByRole('radio', { name: 'Light' }).first().click();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await shot('dashboard-phone-light');
    await page.getByRole('button', { name: 'Open menu' }).click();
    await page.getByRole('navigation').getByRole('link', { name: /Logs/ }).click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    await shot('logs-phone-light');
  });
});
