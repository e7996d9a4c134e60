/**
 * Seeding for the page benchmarks (bench:web, bench:load, bench): n synthetic mentions over 90 days
 * ending at `now`, generated in SQL, with analyses, brand matches (one mention in six names two
 * brands), duplicates and corrections, then the rollups built as a worker would have kept them.
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
      `insert into mentions (source_id, external_id, url, author, author_reach, title, text, language, published_at, engagement, rating, origin)
       select 1 + (g % 8), 'b' || g, 'https://example.com/' || g, 'user' || (g % 50000), (g * 7919) % 200000,
              case when g % 10 = 0 then 'Title ' || g else null end,
              (array['refund','delay','outage','billing','support','signal','roaming','upgrade','contract','coverage','app','login','invoice','price','router'])[1 + (g * 31) % 15]
                || ' ' || (array['terrible','great','slow','again','today','finally','never','love','hate','fine'])[1 + (g * 17) % 10]
                || ' ' || (array['brightwave','nimbus','tellwire','orbitel','skylane'])[1 + g % 5]
                || ' mention number ' || g || case when g % 997 = 0 then ' lost luggage nightmare' else '' end,
              case when g % 9 = 0 then 'de' else 'en' end,
              $3::timestamptz - ((g * 7777) % (90 * 86400)) * interval '1 second',
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
  await db.exec('analyze');
  const hours = await refreshRollups(db, { full: true });
  await db.exec('analyze');
  lap(`rollups built (${hours} hours)`);
}
