-- 0002_catalog_version: one counter that every change of the catalogue bumps.
-- PostgresCatalog.upsert_products increments it in the same transaction as the rows it
-- writes, so a search cache keyed by this version (in any process) never serves results
-- from before an ingest.
CREATE TABLE catalog_version (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),  -- exactly one row
    version    bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO catalog_version (id, version) VALUES (true, 0);
