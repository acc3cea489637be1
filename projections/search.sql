-- Search: trigram indexes on the text the API searches (GET /v1/search, the name and
-- code filters of GET /v1/units, GET /v1/persons?name=). Applied on every start, after
-- the read models' own SQL and before jurisdiction.sql; idempotent.
--
-- Why trigrams and not full-text search: Chinese is written without spaces, and
-- PostgreSQL's text search has no Chinese parser built in (zhparser and pg_jieba are
-- add-ons few servers carry), so to_tsvector('simple', '无锡市司法局') is one "word" and
-- 司法 never matches it. pg_trgm (shipped with PostgreSQL, a trusted extension: the
-- database's owner may create it) splits text into three-character pieces, CJK ones too
-- when the database's LC_CTYPE is a UTF-8 one (C.UTF-8, zh_CN.UTF-8; a plain "C" treats
-- CJK as separators), and its GIN indexes serve ILIKE '%司法局%' substring matches
-- and similarity() ranks them. A pattern shorter than three characters (无锡, 司法) has
-- no trigram: it still matches, by scanning the current rows.
--
-- Only current rows (known_to IS NULL) are searched, so the indexes are partial.
--
-- Findings and inspections are found by the documents (文号) their events cite too,
-- e.g. 锡法督〔2023〕5号: the documents column (text[]) is searched as one text, a line
-- per document. array_to_string is only STABLE in general (an element type's output may
-- depend on settings), so an index needs it wrapped; over text[] it is immutable.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX IF NOT EXISTS chain_units_name_trgm
    ON chain_units USING gin (name gin_trgm_ops) WHERE known_to IS NULL;
CREATE INDEX IF NOT EXISTS chain_units_code_trgm
    ON chain_units USING gin (code gin_trgm_ops) WHERE known_to IS NULL;
CREATE INDEX IF NOT EXISTS chain_persons_name_trgm
    ON chain_persons USING gin (name gin_trgm_ops) WHERE known_to IS NULL;
CREATE INDEX IF NOT EXISTS loop_findings_description_trgm
    ON loop_findings USING gin (description gin_trgm_ops) WHERE known_to IS NULL;
CREATE INDEX IF NOT EXISTS rec_inspections_title_trgm
    ON rec_inspections USING gin (title gin_trgm_ops) WHERE known_to IS NULL;

CREATE OR REPLACE FUNCTION ledger_documents(documents text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_to_string(documents, E'\n') $$;
CREATE INDEX IF NOT EXISTS loop_findings_documents_trgm
    ON loop_findings USING gin (ledger_documents(documents) gin_trgm_ops) WHERE known_to IS NULL;
CREATE INDEX IF NOT EXISTS rec_inspections_documents_trgm
    ON rec_inspections USING gin (ledger_documents(documents) gin_trgm_ops)
    WHERE known_to IS NULL;
