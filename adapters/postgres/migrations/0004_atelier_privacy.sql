-- 0004_atelier_privacy: contact details encrypted at rest; owners found by their chat ids.
-- The plaintext column goes: an embedded setup re-imports its ateliers
-- (`stylegenie ateliers import FILE`), which encrypts every contact.
ALTER TABLE ateliers DROP COLUMN contact;
ALTER TABLE ateliers ADD COLUMN contact_encrypted bytea;

CREATE INDEX ateliers_owner_idx ON ateliers USING gin (owner_chat_ids jsonb_path_ops);
CREATE INDEX ateliers_position_idx ON ateliers (lat, lon);
