import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, DB_KIND } from '../helpers/db.js';
import type { Db } from '../../db/index.js';
import { acknowledgeAlert, alertTimings, getAlert, listAlertEvents, listAlerts, resolveAlert, AUTO_RESOLVER } from '../../db/alerts.js';
import { isNotFoundError, isValidationError } from '../../errors.js';

let db: Db;
const T0 = new Date('2025-03-03T09:00:00Z');
const min = (n: number) => new Date(T0.getTime() + n * 60_000);

async function insertAlert(key: string, brandId: number, painPoint: string | null, openedAt: Date): Promise<number> {
  const r = await db.query<{ id: number }>(
    `insert into alerts (rule, key, brand_id, title, pain_point, opened_at, updated_at, window_start, window_end, observed, expected, score)
     values ('volume-spike', $1, $2, 'spike', $3, $4, $4, $4, $4, 30, 5, 6) returning id`,
    [key, brandId, painPoint, openedAt],
  );
  return Number(r.rows[0]!.id);
}

describe(`alert workflow (${DB_KIND})`, () => {
  let acme: number;
  beforeAll(async () => {
    db = await openTestDb();
    acme = Number((await db.query<{ id: number }>(`insert into brands (name, own) values ('Acme', true) returning id`)).rows[0]!.id);
  });
  afterAll(async () => db?.close());

  it('open → acknowledged → resolved, with who, when and notes; wrong transitions throw', async () => {
    const id = await insertAlert('acme:a', acme, 'delivery', T0);
    const a = await acknowledgeAlert(db, id, 'dana', 'looking', min(10));
    expect(a.status).toBe('acknowledged');
    expect(a.acknowledgedBy).toBe('dana');
    expect(a.acknowledgedAt?.toISOString()).toBe(min(10).toISOString());
    await expect(acknowledgeAlert(db, id, 'dana')).rejects.toSatisfy(isValidationError);
    const r = await resolveAlert(db, id, 'lee', 'courier fixed', min(70));
    expect(r).toMatchObject({ status: 'resolved', resolvedBy: 'lee', note: 'courier fixed' });
    await expect(resolveAlert(db, id, 'lee')).rejects.toSatisfy(isValidationError);
    await expect(acknowledgeAlert(db, id, 'lee')).rejects.toSatisfy(isValidationError);
    expect((await listAlertEvents(db, id)).map((e) => e.kind)).toEqual(['acknowledged', 'resolved']);
  });

  it('unknown id is NotFoundError; empty --by is a ValidationError', async () => {
    await expect(getAlert(db, 999_999)).rejects.toSatisfy(isNotFoundError);
    await expect(acknowledgeAlert(db, 999_999, 'x')).rejects.toSatisfy(isNotFoundError);
    const id = await insertAlert('acme:b', acme, 'billing', T0);
    await expect(acknowledgeAlert(db, id, '  ')).rejects.toSatisfy(isValidationError);
    expect((await getAlert(db, id)).status).toBe('open');
  });

  it('lists active alerts first, filters by status and brand', async () => {
    const all = await listAlerts(db);
    expect(all.map((a) => a.status)).toEqual(['open', 'resolved']);
    expect((await listAlerts(db, { status: 'resolved' })).map((a) => a.key)).toEqual(['acme:a']);
    expect(await listAlerts(db, { brand: 'nobody' })).toEqual([]);
    expect((await listAlerts(db, { brand: 'ACME', status: 'active' })).map((a) => a.key)).toEqual(['acme:b']);
  });

  it('alertTimings: mean ack, mean and median resolve per brand and pain point; auto-resolved not counted', async () => {
    await db.query(`delete from alerts`);
    const mk = async (k: string, ack: number | null, res: number | null, by = 'dana') => {
      const id = await insertAlert(k, acme, 'delivery', T0);
      if (ack !== null) await acknowledgeAlert(db, id, 'dana', null, min(ack));
      if (res !== null) await resolveAlert(db, id, by, null, min(res));
    };
    await mk('d1', 10, 60);
    await mk('d2', 20, 120);
    await mk('d3', null, 300);
    await mk('d4', null, 30, AUTO_RESOLVER);
    await mk('d5', 30, null);
    const rows = await alertTimings(db);
    expect(rows).toEqual([{ brand: 'Acme', painPoint: 'delivery', alerts: 5, meanAckMinutes: 20, meanResolveMinutes: 160, medianResolveMinutes: 120 }]);
  });
});
