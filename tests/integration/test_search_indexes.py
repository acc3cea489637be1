"""The search's trigram indexes: pg_trgm is installed where the read models are set up,
and a substring of three characters or more is served by a GIN trigram index."""

from __future__ import annotations

import asyncpg


async def test_pg_trgm_and_the_indexes_are_there(pool: asyncpg.Pool) -> None:
    assert await pool.fetchval("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'") == 1
    names = {
        r["indexname"]
        for r in await pool.fetch("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_trgm'")
    }
    assert names == {
        "chain_units_name_trgm",
        "chain_units_code_trgm",
        "chain_persons_name_trgm",
        "loop_findings_description_trgm",
        "rec_inspections_title_trgm",
        "loop_findings_documents_trgm",
        "rec_inspections_documents_trgm",
    }


async def test_a_chinese_substring_uses_the_trigram_index(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO chain_units (unit_id, name, kind, level, version, known_from)"
            " SELECT gen_random_uuid(), '第' || n || '区人民政府', 'government', 'county', 1, n"
            " FROM generate_series(1, 5000) n"
        )
        # inserted rows wait in the GIN pending list, which the planner costs as a scan
        await conn.execute("SELECT gin_clean_pending_list('chain_units_name_trgm')")
        await conn.execute("ANALYZE chain_units")
        await conn.execute("SET LOCAL enable_seqscan = off")
        rows = await conn.fetch(
            "EXPLAIN SELECT unit_id FROM chain_units"
            " WHERE known_to IS NULL AND name ILIKE '%市司法局%'"
        )
    text = "\n".join(r[0] for r in rows)
    assert "chain_units_name_trgm" in text, text
    assert await pool.fetchval("SELECT similarity('无锡市司法局', '司法局')") > 0


async def test_a_document_number_uses_the_documents_index(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO rec_inspections (inspection_id, title, year, organizer_unit_id,"
            " target_unit_ids, team, topics, starts_on, ends_on, stage, documents, version,"
            " known_from) SELECT gen_random_uuid(), '督察' || n, 2024, gen_random_uuid(), '{}',"
            " '{}', '{}', '2024-05-06', '2024-05-20', 'planned',"
            " ARRAY['锡法督〔2023〕' || n || '号'], 1, n FROM generate_series(1, 5000) n"
        )
        await conn.execute("SELECT gin_clean_pending_list('rec_inspections_documents_trgm')")
        await conn.execute("ANALYZE rec_inspections")
        await conn.execute("SET LOCAL enable_seqscan = off")
        rows = await conn.fetch(
            "EXPLAIN SELECT inspection_id FROM rec_inspections"
            " WHERE known_to IS NULL AND ledger_documents(documents) ILIKE '%〔2023〕5号%'"
        )
        found = await conn.fetchval(
            "SELECT count(*) FROM rec_inspections"
            " WHERE known_to IS NULL AND ledger_documents(documents) ILIKE '%〔2023〕5号%'"
        )
    text = "\n".join(r[0] for r in rows)
    assert "rec_inspections_documents_trgm" in text, text
    assert found == 1
