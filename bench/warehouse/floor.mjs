// The floor: DuckDB's own read_json of the same part files into the same `events` table (created by
// the loader on an empty store), keyed the same way. Run as a child so its peak RSS is its own.
//   node floor.mjs <database> <raw store>
import { DuckDBInstance } from '@duckdb/node-api';

const [db, store] = process.argv.slice(2);
const instance = await DuckDBInstance.create(db);
const connection = await instance.connect();
// The envelope read as a typed STRUCT: DuckDB's fastest JSON path (no per-field JSON extraction).
const ENVELOPE = `STRUCT(id VARCHAR, event STRUCT(schema VARCHAR), ts STRUCT(created TIMESTAMPTZ, sent TIMESTAMPTZ, "true" TIMESTAMPTZ),
  app STRUCT(id VARCHAR, platform VARCHAR, version VARCHAR), tracker STRUCT(name VARCHAR, version VARCHAR, namespace VARCHAR),
  "user" STRUCT(anonymousId VARCHAR, userId VARCHAR, sessionId VARCHAR, sessionIndex BIGINT),
  consent STRUCT(purposes JSON, policyVersion VARCHAR, source VARCHAR), page STRUCT(url VARCHAR, referrer VARCHAR, title VARCHAR),
  device STRUCT(userAgent VARCHAR, language VARCHAR, timezone VARCHAR, screen VARCHAR))`;
const started = performance.now();
await connection.run(`
  INSERT INTO events (event_id, event_tstamp, event_date, dvce_created_tstamp, dvce_sent_tstamp, true_tstamp, collector_tstamp, load_tstamp,
    app_id, app_version, platform, tracker_name, tracker_version, tracker_namespace, user_id, anonymous_id, session_id, session_index,
    page_url, page_referrer, page_title, useragent, device_language, device_timezone, device_screen, consent_purposes, consent_policy_version,
    consent_source, event_schema, event_vendor, event_name, event_version)
  SELECT e.id, coalesce(e.ts."true", e.ts.created), CAST(coalesce(e.ts."true", e.ts.created) AS DATE), e.ts.created, e.ts.sent, e.ts."true", receivedAt, now(),
    e.app.id, e.app.version, e.app.platform, e.tracker.name, e.tracker.version, e.tracker.namespace,
    e."user".userId, e."user".anonymousId, e."user".sessionId, e."user".sessionIndex,
    e.page.url, e.page.referrer, e.page.title, e.device.userAgent, e.device.language, e.device.timezone, e.device.screen,
    e.consent.purposes, e.consent.policyVersion, e.consent.source,
    e.event.schema, split_part(split_part(e.event.schema, '/', 1), ':', 2), split_part(e.event.schema, '/', 2), split_part(e.event.schema, '/', 4)
  FROM (SELECT receivedAt, envelope AS e FROM read_json('${store}/good/**/*.jsonl', format = 'newline_delimited', columns = {receivedAt: 'TIMESTAMPTZ', clientIp: 'VARCHAR', envelope: '${ENVELOPE.replace(/\n\s*/g, ' ')}'}))
  ON CONFLICT DO NOTHING`);
const seconds = (performance.now() - started) / 1000;
const [{ n }] = (await connection.runAndReadAll('SELECT count(*)::INTEGER AS n FROM events')).getRowObjectsJson();
connection.closeSync();
instance.closeSync();
process.stdout.write(`${JSON.stringify({ rows: n, seconds })}\n`);
