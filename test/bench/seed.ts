/**
 * Seeding for the page benchmarks (bench:web, bench:load, bench): n synthetic mentions published over
 * 90 days ending at `now`, generated in SQL, with analyses, brand matches (one mention in six names two
 * brands), duplicates and corrections, 90 days of collector runs, then the rollups built as a worker
 * would have kept them and the tables vacuumed (what autovacuum keeps on a server; the test server runs
 * without it).
 *
 * Every mention is *collected* in the 24 hours before `now` (spread over them), as on the day of a
 * 1M-mention backfill or import: the worst case for the sources page's "collected in 24 h" figure.
 */
import type { Db } from '../../db/index.js';
import { refreshRollups } from '../../db/stats.js';
import { ensureMentionPartitions } from '../../db/jobs.js';
import { ANALYSER_VERSION } from '../../analysis/index.js';

/**
 * Seeds `n` mentions ending at `now` into `db` (a migrated schema), with analyses, brand matches,
 * duplicates and corrections, and builds the rollups. The analysis queue is emptied (the seeded
 * analyses stand for the work done). Returns seconds per step.
 */
export async function seedMentions(db: Db, n: number, now: Date, log: (m: string) => void = () => undefined): Promise<void> {
  const t0 = Date.now();
  const lap = (m: string): void => log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${m}`);
  await db.exec(`
    insert into brands (name, own) values ('Brightwave', true), ('Nimbus', false), ('Tellwire', false), ('Orbitel', false), ('Skylane', false) on conflict do nothing;
    insert into sources (name, type) values ('hn','hackernews'), ('reddit','reddit'), ('masto','mastodon'), ('bsky','bluesky'), ('rss','rss'), ('apps','appstore'), ('yt','youtube'), ('import','file') on conflict do nothing;`);
  // 90 days; text from a small vocabulary so search terms have a realistic spread; in slices of 100k
  for (let lo = 1; lo <= n; lo += 100_000) {
    const hi = Math.min(n, lo + 99_999);
    await db.query(
      `insert into mentions (source_id, external_id, url, author, author_reach, title, text, language, published_at, collected_at, engagement, rating, origin)
       select 1 + (g % 8), 'b' || g, 'https://example.com/' || g, 'user' || (g % 50000), (g * 7919) % 200000,
              case when g % 10 = 0 then 'Title ' || g else null end,
              (array['refund','delay','outage','billing','support','signal','roaming','upgrade','contract','coverage','app','login','invoice','price','router'])[1 + (g * 31) % 15]
                || ' ' || (array['terrible','great','slow','again','today','finally','never','love','hate','fine'])[1 + (g * 17) % 10]
                || ' ' || (array['brightwave','nimbus','tellwire','orbitel','skylane'])[1 + g % 5]
                || ' mention number ' || g || case when g % 997 = 0 then ' lost luggage nightmare' else '' end,
              case when g % 9 = 0 then 'de' else 'en' end,
              $3::timestamptz - ((g * 7777) % (90 * 86400)) * interval '1 second',
              greatest($3::timestamptz - ((g * 7777) % (90 * 86400)) * interval '1 second', $3::timestamptz - ((g * 4099) % 86400) * interval '1 second'),
              jsonb_build_object('likes', (g * 13) % 500, 'replies', (g * 3) % 40),
              case when g % 8 = 5 then 1 + (g % 5) else null end,
              case when g % 8 = 7 then (array['twitter','reddit','facebook'])[1 + g % 3] else null end
         from generate_series($1::bigint, $2::bigint) g`,
      [lo, hi, now],
    );
  }
  lap(`inserted ${n.toLocaleString('en')} mentions`);
  // what a running worker does daily: months older than the migration's window leave the default partition
  await ensureMentionPartitions(db, now);
  lap('monthly partitions created');
  // analyses carry the current analyser version, so a worker started on this data has nothing to redo
  await db.query(`
    insert into analyses (mention_id, analyser_version, language, sentiment_label, sentiment_score, pain_points, pain_point_ids, stage, comparison, switch_from, switch_to)
    select id, $1, 'en', (array['positive','neutral','negative','negative'])[1 + (id * 7) % 4], 0.1,
           case when id % 3 = 0 then jsonb_build_array(jsonb_build_object('id', (array['delay','refund','billing','outage','customer-service','usability'])[1 + id % 6], 'evidence', jsonb_build_array('word'))) else '[]'::jsonb end,
           case when id % 3 = 0 then array[(array['delay','refund','billing','outage','customer-service','usability'])[1 + id % 6]] else '{}'::text[] end,
           case when id % 8 = 0 then null else (array['awareness','consideration','purchase','experience','support','retention','advocacy'])[1 + id % 7] end,
           id % 50 = 0, case when id % 101 = 0 then 'Nimbus' end, case when id % 101 = 0 then 'Brightwave' end
      from mentions where id % 20 <> 0`, [ANALYSER_VERSION]);
  await db.exec(`
    insert into mention_brands (mention_id, brand_id, sentiment_label)
    select id, (select min(id) from brands) + id % 5, case when id % 4 = 0 then 'negative' end from mentions;
    insert into mention_brands (mention_id, brand_id)
    select id, (select min(id) from brands) + (id + 1) % 5 from mentions where id % 6 = 0;
    update mentions set duplicate_of = id - 1 where id % 200 = 0;
    insert into corrections (mention_id, sentiment_label) select id, 'positive' from mentions where id % 1000 = 1;
    truncate analysis_queue;`);
  lap('inserted analyses, brand matches, duplicates, corrections');
  await seedRunHistory(db, now);
  lap('inserted 90 days of collector runs');
  await vacuumSchema(db);
  const hours = await refreshRollups(db, { full: true });
  await vacuumSchema(db);
  lap(`rollups built (${hours} hours), vacuumed`);
}

/** VACUUM ANALYZE of this schema's tables only (a partitioned table takes its partitions along). */
async function vacuumSchema(db: Db): Promise<void> {
  const r = await db.query<{ t: string }>(
    `select quote_ident(relname) as t from pg_class
      where relnamespace = current_schema()::regnamespace and relkind in ('r', 'p') and not relispartition order by 1`,
  );
  await db.exec(`vacuum (analyze) ${r.rows.map((x) => x.t).join(', ')}`);
}

/**
 * 90 days of collection runs ending at `now`, one per source every 15 minutes (1 in 40 failed, with its
 * error), and each source's health columns as the collectors would have left them: what the sources
 * page reads besides the counts.
 */
export async function seedRunHistory(db: Db, now: Date): Promise<void> {
  await db.query(
    `insert into collector_runs (source_id, started_at, finished_at, status, fetched, inserted, duplicates, skipped, duration_ms, error)
     select s.id, t, t + interval '2 seconds', case when k % 40 = 0 then 'error' else 'ok' end,
            (k * 7 + s.id) % 120, (k * 7 + s.id) % 120 / 2, (k * 7 + s.id) % 120 / 3, 0, 900 + (k * 13) % 1500,
            case when k % 40 = 0 then 'http: 503 Service Unavailable from ' || s.name end
       from sources s,
            generate_series(0, 90 * 96 - 1) k,
            lateral (select $1::timestamptz - (k * interval '15 minutes') - interval '5 minutes' as t) x`,
    [now],
  );
  await db.query(
    `update sources s set last_run_at = r.last_run, last_success_at = r.last_ok, last_error_at = r.last_err,
            last_error = 'http: 503 Service Unavailable from ' || s.name, next_check_at = $1::timestamptz + interval '10 minutes'
       from (select source_id, max(finished_at) as last_run, max(finished_at) filter (where status = 'ok') as last_ok,
                    max(finished_at) filter (where status = 'error') as last_err
               from collector_runs group by source_id) r
      where r.source_id = s.id`,
    [now],
  );
  await db.exec('analyze collector_runs');
}

/**
 * A scratch schema holding `n` seeded mentions. With `reuse` (the benches' BENCH_SCHEMA knob) a schema
 * that already holds a finished seed of `n` mentions is kept as it is (only pending migrations run),
 * so repeated runs at 1M skip the minutes of seeding; the seed records its size and its `now` in
 * `bench_seed`, and that `now` is returned (the data ends there). Otherwise the schema is migrated,
 * seeded and marked.
 */
/** Bumped whenever the seed's data changes: a kept schema seeded by an older version is not reused. */
export const SEED_VERSION = 2;

export async function seedOrReuse(db: Db, n: number, now: Date, reuse: boolean, log: (m: string) => void): Promise<{ now: Date; reused: boolean }> {
  const { migrate } = await import('../../db/migrate.js');
  if (reuse) {
    const has = await db.query<{ t: string | null }>(`select to_regclass('bench_seed')::text as t`);
    if (has.rows[0]?.t) {
      const r = await db.query<{ mentions: number; seeded_now: Date; version: number }>('select mentions::float8 as mentions, seeded_now, version from bench_seed');
      if (r.rows[0] && r.rows[0].mentions === n && r.rows[0].version === SEED_VERSION) {
        await migrate(db);
        log(`reusing the seed of ${n.toLocaleString('en')} mentions (data ends ${r.rows[0].seeded_now.toISOString()})`);
        return { now: r.rows[0].seeded_now, reused: true };
      }
      throw new Error(`bench: schema holds a seed (version ${r.rows[0]?.version}) of ${r.rows[0]?.mentions ?? 0} mentions, not ${n} (version ${SEED_VERSION}): drop it or pick another BENCH_SCHEMA`);
    }
  }
  await migrate(db);
  await seedMentions(db, n, now, log);
  await db.exec('create table bench_seed (mentions bigint not null, seeded_now timestamptz not null, version integer not null)');
  await db.query('insert into bench_seed values ($1, $2, $3)', [n, now, SEED_VERSION]);
  return { now, reused: false };
}
