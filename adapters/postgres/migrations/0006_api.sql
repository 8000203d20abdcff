-- 0006_api: the REST API's keys, design jobs and the web chat's inbox.

-- API keys: only a SHA-256 of the key is kept; the key itself is shown once at creation.
CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    key_hash    text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    last_used_at timestamptz
);

-- Design jobs (POST /api/v1/generate): their brief, progress and outcome, per caller.
-- A caller's Idempotency-Key names one job; its request hash tells a retry from a misuse.
-- ``runner`` is the advisory lock key (class 1397180994, "SGJB") the API process running
-- the job holds while it lives: an unfinished job whose runner holds no lock was left by
-- a process that died.
CREATE TABLE api_jobs (
    id               text PRIMARY KEY,
    caller           text NOT NULL,
    idempotency_key  text,
    request_hash     text NOT NULL,
    request          jsonb NOT NULL,
    runner           integer NOT NULL,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'running', 'done', 'failed')),
    progress         jsonb,
    brief            jsonb NOT NULL,
    companions       jsonb NOT NULL DEFAULT '[]'::jsonb,
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (caller, idempotency_key)
);
CREATE INDEX api_jobs_unfinished_idx ON api_jobs (runner)
    WHERE status IN ('queued', 'running');

-- Every design a job drew, in order, by id: search and atelier matching start from one.
CREATE TABLE api_designs (
    id          text PRIMARY KEY,
    job_id      text NOT NULL REFERENCES api_jobs (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    design      jsonb NOT NULL,
    UNIQUE (job_id, position)
);

-- Messages for a web chat session sent outside a turn (a lead to an owner, news to a
-- shopper), kept so the page shows them again after a reload. ``outcome`` is set when an
-- answered message settles. ``changed`` orders the page's reads: a new message's is its
-- id, and settling gives it a new number of the same sequence, so a page reading
-- "changed after N" sees new messages and newly settled ones alike.
CREATE SEQUENCE web_inbox_seq;
CREATE TABLE web_inbox (
    id               bigint PRIMARY KEY,
    chat_id          text NOT NULL,
    reply            jsonb NOT NULL,
    idempotency_key  text,
    outcome          text,
    changed          bigint NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX web_inbox_idempotency_idx ON web_inbox (chat_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX web_inbox_changed_idx ON web_inbox (chat_id, changed);
