-- 0001_initial: the first StyleGenie schema.
-- Column names follow the pydantic models in stylegenie.core.domain, so a row
-- validates straight into its model. Vectors live in Milvus, not here.

-- Product metadata of the catalogue.
CREATE TABLE products (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    brand        text NOT NULL DEFAULT '',
    category     text NOT NULL DEFAULT '',
    article_type text NOT NULL DEFAULT '',
    colour       text NOT NULL DEFAULT '',
    gender       text NOT NULL DEFAULT 'unisex',
    price        numeric NOT NULL CHECK (price >= 0),
    currency     text NOT NULL DEFAULT 'EUR',
    in_stock     boolean NOT NULL DEFAULT true,
    sizes        jsonb NOT NULL DEFAULT '[]',
    fabric       text NOT NULL DEFAULT '',
    url          text NOT NULL DEFAULT '',
    image_ref    text,
    description  text NOT NULL DEFAULT '',
    -- double precision, not real: a real turns 0.7 into 0.699999988 on the way back.
    brand_score  double precision NOT NULL DEFAULT 0.5 CHECK (brand_score BETWEEN 0 AND 1),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Workshops that can make a design, and what they can make.
CREATE TABLE ateliers (
    id              text PRIMARY KEY,
    name            text NOT NULL,
    description     text NOT NULL DEFAULT '',
    city            text NOT NULL,
    country         text NOT NULL DEFAULT '',
    lat             double precision NOT NULL,
    lon             double precision NOT NULL,
    categories      text[] NOT NULL DEFAULT '{}',
    max_complexity  text NOT NULL DEFAULT 'complex'
                    CHECK (max_complexity IN ('simple', 'moderate', 'complex', 'couture')),
    price_min       numeric NOT NULL CHECK (price_min >= 0),
    price_max       numeric NOT NULL CHECK (price_max >= 0),
    currency        text NOT NULL DEFAULT 'EUR',
    lead_time_days  integer NOT NULL DEFAULT 21 CHECK (lead_time_days >= 0),
    rating          double precision NOT NULL DEFAULT 4.0 CHECK (rating BETWEEN 0 AND 5),
    remote_friendly boolean NOT NULL DEFAULT false,
    languages       text[] NOT NULL DEFAULT '{en}',
    owner_chat_ids  jsonb NOT NULL DEFAULT '{}',
    -- Plain text for now: a later migration encrypts contact details at rest.
    contact         text NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Serves "categories @> ARRAY[...]" (a GIN index cannot serve "x = ANY(categories)").
CREATE INDEX ateliers_categories_idx ON ateliers USING gin (categories);

-- Shopper profiles: standing preferences (a DesignBrief) and saved designs.
CREATE TABLE users (
    user_key      text PRIMARY KEY,
    preferences   jsonb NOT NULL DEFAULT '{}',
    saved_designs jsonb NOT NULL DEFAULT '[]',
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Leads: an outbox written before any notification goes out.
-- user_key has no foreign key: a shopper may send a lead before saving a profile.
CREATE TABLE leads (
    id         text PRIMARY KEY,
    user_key   text NOT NULL,
    atelier_id text NOT NULL REFERENCES ateliers (id),
    design     jsonb NOT NULL,
    status     text NOT NULL DEFAULT 'new'
               CHECK (status IN ('new', 'sent', 'accepted', 'declined', 'expired')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX leads_status_idx ON leads (status);
CREATE INDEX leads_user_key_idx ON leads (user_key);

-- Conversation state by chat key, for a PostgreSQL-backed session store.
CREATE TABLE conversations (
    key        text PRIMARY KEY,
    state      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
