-- 0003_lead_outbox: what the lead flow needs to deliver, retry, deduplicate and re-match.
ALTER TABLE leads
    ADD COLUMN shopper_handle  text NOT NULL DEFAULT '',
    ADD COLUMN request         jsonb NOT NULL DEFAULT '{"category": "other"}',
    ADD COLUMN attempts        integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN idempotency_key text NOT NULL DEFAULT '';

-- One lead per shopper, atelier and design: a repeated request finds the stored one.
CREATE UNIQUE INDEX leads_idempotency_idx ON leads (idempotency_key) WHERE idempotency_key <> '';
-- The outbox scan and the per-atelier open count.
CREATE INDEX leads_outbox_idx ON leads (next_attempt_at) WHERE status = 'new';
CREATE INDEX leads_atelier_status_idx ON leads (atelier_id, status);
