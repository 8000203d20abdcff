-- 0005_lead_handoff: consent, owner routing, an exactly-once outbox and platform liveness.

-- What the shopper agreed to share, and the platform that carries the lead to its owner.
ALTER TABLE leads RENAME COLUMN shopper_handle TO shopper_contact;
ALTER TABLE leads
    ADD COLUMN owner_platform text NOT NULL DEFAULT '',
    ADD COLUMN lease_until    timestamptz,
    ADD COLUMN leased_by      text;

-- Open leads from before this migration go to one of their owner's platforms (first by name).
UPDATE leads AS l SET owner_platform = coalesce(
    (SELECT min(k) FROM ateliers AS a, jsonb_object_keys(a.owner_chat_ids) AS k
     WHERE a.id = l.atelier_id), '')
WHERE l.status IN ('new', 'sent');

-- A lead whose owner can never be reached is closed as undeliverable.
ALTER TABLE leads DROP CONSTRAINT leads_status_check;
ALTER TABLE leads ADD CONSTRAINT leads_status_check
    CHECK (status IN ('new', 'sent', 'accepted', 'declined', 'expired', 'undeliverable'));

-- The outbox is scanned per platform.
DROP INDEX leads_outbox_idx;
CREATE INDEX leads_outbox_idx ON leads (owner_platform, next_attempt_at) WHERE status = 'new';

-- A lead message the owner's platform took, recorded (and committed) before the lead is
-- marked sent: a runner that finds it never sends the lead again.
CREATE TABLE lead_deliveries (
    lead_id      text PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    platform     text NOT NULL,
    message_ref  text NOT NULL DEFAULT '',
    delivered_at timestamptz NOT NULL DEFAULT now()
);

-- Which platforms some running process can send on: each outbox run renews its rows.
CREATE TABLE outbox_platforms (
    runner     text NOT NULL,
    platform   text NOT NULL,
    seen_until timestamptz NOT NULL,
    PRIMARY KEY (runner, platform)
);
CREATE INDEX outbox_platforms_seen_idx ON outbox_platforms (seen_until);

-- Who may answer leads in a group owner chat: {"telegram": ["111", "222"]}.
ALTER TABLE ateliers ADD COLUMN owner_user_ids jsonb NOT NULL DEFAULT '{}';
