import { DataSource } from 'typeorm';
import { AlertRetention } from '../src/alerts/alert-retention.service';
import { AppConfig } from '../src/config/app-config';
import { bootApp, setupAdmin, TestApp } from './helpers/test-app';

const DAY = 86_400_000;

/**
 * Alert history retention: the hourly job deletes alerts older than ALERT_RETENTION_DAYS with their
 * deliveries, in chunks, and keeps recent alerts and any alert with a delivery still pending.
 */
describe('alert retention (e2e)', () => {
  let t: TestApp;
  let admin: string;
  let db: DataSource;
  const auth = () => ({ Authorization: `Bearer ${admin}` });

  /** Inserts an alert `ageDays` old with one delivery per given status; returns the alert id. */
  async function alert(title: string, ageDays: number, statuses: string[]): Promise<string> {
    const at = new Date(Date.now() - ageDays * DAY);
    const [{ id }]: { id: string }[] = await db.query(
      `INSERT INTO alerts (rule_id, rule_name, event_type, severity, title, message, payload, dedupe_key, created_at)
       VALUES (NULL, 'r', 'apikey.invalid', 'warning', $1, 'm', '{}'::jsonb, 'k', $2) RETURNING id`,
      [title, at],
    );
    for (const [i, status] of statuses.entries())
      await db.query(
        `INSERT INTO alert_deliveries (alert_id, channel_id, channel_name, channel_type, status, attempts, created_at, updated_at)
         VALUES ($1, NULL, $2, 'webhook', $3, 1, $4, $4)`,
        [id, `ch-${i}`, status, at],
      );
    return id;
  }

  const titles = async (): Promise<string[]> =>
    (await db.query(`SELECT title FROM alerts ORDER BY title`)).map((r: { title: string }) => r.title);
  const deliveriesOf = async (alertId: string): Promise<string[]> =>
    (
      await db.query(`SELECT status FROM alert_deliveries WHERE alert_id = $1 ORDER BY channel_name`, [
        alertId,
      ])
    ).map((r: { status: string }) => r.status);

  beforeAll(async () => {
    t = await bootApp({ ALERT_RETENTION_DAYS: '30' });
    admin = await setupAdmin(t);
    db = t.app.get(DataSource);
  });
  afterAll(() => t?.close());
  beforeEach(() => db.query('DELETE FROM alerts'));

  it('deletes old alerts with their deliveries; keeps recent ones and old ones still pending', async () => {
    await alert('old-sent', 45, ['sent', 'sent']);
    await alert('old-failed', 31, ['failed']);
    await alert('old-mixed', 40, ['sent', 'failed']);
    await alert('old-no-channel', 60, []);
    const pending = await alert('old-pending', 90, ['sent', 'pending']);
    const recent = await alert('recent', 29, ['sent', 'failed']);
    const fresh = await alert('fresh', 0, ['pending']);

    await t.app.get(AlertRetention).scheduledPurge();

    expect(await titles()).toEqual(['fresh', 'old-pending', 'recent']);
    expect(await deliveriesOf(pending)).toEqual(['sent', 'pending']);
    expect(await deliveriesOf(recent)).toEqual(['sent', 'failed']);
    expect(await deliveriesOf(fresh)).toEqual(['pending']);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM alert_deliveries`);
    expect(n).toBe(5);
    const history = await t.http.get('/api/alerts').set(auth()).expect(200);
    expect(history.body.total).toBe(3);

    // Once its last delivery is settled, the old alert goes on the next run.
    await db.query(`UPDATE alert_deliveries SET status = 'sent' WHERE alert_id = $1`, [pending]);
    await t.app.get(AlertRetention).scheduledPurge();
    expect(await titles()).toEqual(['fresh', 'recent']);
    expect(await deliveriesOf(pending)).toEqual([]);
  });

  it('deletes in bounded chunks until nothing old is left, and counts what it deleted', async () => {
    for (let i = 0; i < 7; i++) await alert(`old-${i}`, 100, ['sent', 'failed']);
    await alert('keep', 1, ['sent']);
    const result = await t.app.get(AlertRetention).purge(new Date(Date.now() - 30 * DAY), 3);
    expect(result).toEqual({ alerts: 7, deliveries: 14 });
    expect(await titles()).toEqual(['keep']);
    expect(await t.app.get(AlertRetention).purge(new Date(Date.now() - 30 * DAY), 3)).toEqual({
      alerts: 0,
      deliveries: 0,
    });
  });

  it('keeps everything with ALERT_RETENTION_DAYS=0', async () => {
    await alert('ancient', 3650, ['sent']);
    const config = t.app.get(AppConfig);
    const forever = new AlertRetention(db, {
      ...config,
      alerts: { ...config.alerts, retentionDays: 0 },
    } as AppConfig);
    await forever.scheduledPurge();
    expect(await titles()).toEqual(['ancient']);
  });
});
