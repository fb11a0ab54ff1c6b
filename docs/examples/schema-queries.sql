-- Worked queries for the ndrlink store (docs/schema.md, "Worked queries").
-- Run one with: sqlite3 -header -column var/ndrlink.db '<query>'
-- Each query is one statement, preceded by a "-- title" line.

-- Addresses that hard-bounced in the last 7 days
SELECT recipient, reason, state_at AS bounced_at
FROM acceptances
WHERE state = 'bounced' AND hard = 1
  AND state_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 days')
ORDER BY state_at DESC;

-- 252 acceptances by domain, and what became of them
SELECT domain,
       count(*) AS accepted_252,
       sum(state = 'bounced') AS bounced,
       sum(state = 'bounced' AND hard = 1) AS hard,
       sum(state = 'delivered') AS delivered,
       sum(state = 'presumed_delivered') AS presumed,
       sum(state IN ('pending', 'delayed')) AS still_open
FROM acceptances
WHERE reply_code = 252
GROUP BY domain
ORDER BY accepted_252 DESC, domain;

-- Unmatched report results received today (UTC)
SELECT report_id, kind, recipient, reason, original_message_id, suspicious
FROM unmatched_reports
WHERE received_at >= strftime('%Y-%m-%dT00:00:00Z', 'now')
ORDER BY received_at, report_id;

-- History of one address: acceptances and every state change
SELECT at, acceptance_id, from_state, to_state, why FROM (
  SELECT accepted_at AS at, id AS acceptance_id, 0 AS seq, NULL AS from_state, 'pending' AS to_state,
         'accepted with ' || reply_code || ' (' || source || ')' AS why
  FROM acceptances WHERE recipient_key = lower('Kijitora@example.co.jp')
  UNION ALL
  SELECT e.at, e.acceptance_id, e.id, e.from_state, e.to_state, e.why
  FROM events e JOIN acceptances a ON a.id = e.acceptance_id
  WHERE a.recipient_key = lower('Kijitora@example.co.jp'))
ORDER BY acceptance_id, seq;

-- Bounce rate per domain per day of acceptance (last 30 days)
SELECT day, domain, accepted, bounced, hard_bounced,
       round(100.0 * bounced / accepted, 1) AS bounce_pct,
       delivered + presumed_delivered AS arrived, pending
FROM domain_daily
WHERE day >= date('now', '-30 days')
ORDER BY day, domain;

-- Bounces processed per domain per day (by the day the bounce was processed)
SELECT substr(e.at, 1, 10) AS day, a.domain, count(*) AS bounces,
       sum(a.hard = 1) AS hard
FROM events e JOIN acceptances a ON a.id = e.acceptance_id
WHERE e.to_state = 'bounced' AND e.from_state IS NOT NULL AND e.from_state <> 'bounced'
GROUP BY day, a.domain
ORDER BY day, a.domain;

-- Suspicious (forged or altered) reports
SELECT report_id, received_at, from_address, recipient, suspicious, verp_token, ndrlink_id
FROM suspicious_reports
ORDER BY received_at DESC;

-- Time from acceptance to bounce, per domain
SELECT domain, count(*) AS bounces,
       round(avg(julianday(state_at) - julianday(accepted_at)) * 24, 1) AS avg_hours,
       round(max(julianday(state_at) - julianday(accepted_at)) * 24, 1) AS max_hours
FROM acceptances
WHERE state = 'bounced' AND resolved_by IS NOT NULL
GROUP BY domain
ORDER BY avg_hours DESC;

-- Presumed delivered, per reply code
SELECT reply_code, count(*) AS presumed_delivered
FROM acceptances
WHERE state = 'presumed_delivered'
GROUP BY reply_code;

-- Late bounces: presumed delivered first, bounced afterwards
SELECT a.id, a.recipient, a.accepted_at, p.at AS presumed_at, b.at AS bounced_at, b.why
FROM acceptances a
JOIN events p ON p.acceptance_id = a.id AND p.to_state = 'presumed_delivered'
JOIN events b ON b.acceptance_id = a.id AND b.from_state = 'presumed_delivered' AND b.to_state = 'bounced'
ORDER BY b.at;

-- Addresses whose latest acceptance bounced, with at least one hard bounce
SELECT recipient, domain, acceptances, hard_bounced, last_accepted_at
FROM address_outcome
WHERE latest_state = 'bounced' AND hard_bounced > 0
ORDER BY domain, recipient;

-- Acceptances still open after 3 days, oldest first
SELECT id, recipient, reply_code, state, accepted_at
FROM acceptances
WHERE state IN ('pending', 'delayed')
  AND accepted_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-3 days')
ORDER BY accepted_at;

-- How report results were linked
SELECT coalesce(link_method, 'unmatched') AS link_method, count(*) AS results,
       sum(suspicious IS NOT NULL) AS suspicious
FROM report_recipients
GROUP BY link_method
ORDER BY max(link_confidence) DESC;

-- Every report result that names one address (matched or not)
SELECT r.received_at, r.kind, rr.action, rr.status, rr.reason, rr.acceptance_id, rr.link_method, rr.suspicious
FROM report_recipients rr JOIN reports r ON r.id = rr.report_id
WHERE lower(rr.recipient) = lower('Neko@example.org')
ORDER BY r.received_at;

-- Messages that were not reports, could not be parsed, or carry a warning
SELECT id, kind, received_at, subject, from_address, parse_error
FROM reports
WHERE kind IN ('none', 'unparsable') OR parse_error IS NOT NULL
ORDER BY received_at;
