"""The store's SQLite schema, its version and the migrations from older versions (kb/store.py opens it)."""
from __future__ import annotations

SCHEMA_VERSION = 6  # 3: provenance (documents.source_type, pages, ocr, page_starts; chunks.page); 4: born/died;
#                    5: documents.name (relative to the corpus folder) and source_url; 6: facts.period
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, pipeline TEXT NOT NULL,
    encoding TEXT NOT NULL,
    title TEXT NOT NULL, title_composed INTEGER NOT NULL, agency TEXT NOT NULL, region TEXT NOT NULL,
    province TEXT NOT NULL, city TEXT NOT NULL, district TEXT NOT NULL, level TEXT NOT NULL,
    year INTEGER, published TEXT, doc_type TEXT NOT NULL, text TEXT NOT NULL, ingested_at REAL NOT NULL,
    source_type TEXT NOT NULL DEFAULT 'txt', pages INTEGER, ocr INTEGER NOT NULL DEFAULT 0,
    page_starts TEXT NOT NULL DEFAULT '[]', born INTEGER NOT NULL DEFAULT 0, died INTEGER,
    name TEXT NOT NULL DEFAULT '', source_url TEXT);
CREATE TABLE IF NOT EXISTS sections (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, ordinal INTEGER NOT NULL,
    level INTEGER NOT NULL, number TEXT NOT NULL, title TEXT NOT NULL, path TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, body_end INTEGER NOT NULL, parent INTEGER,
    PRIMARY KEY (doc_id, ordinal));
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, ordinal INTEGER NOT NULL,
    section_ordinal INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    section_path TEXT NOT NULL, page INTEGER, born INTEGER NOT NULL DEFAULT 0, died INTEGER);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS facts (
    fact_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, metric TEXT NOT NULL,
    value REAL NOT NULL, unit TEXT NOT NULL, approx INTEGER NOT NULL, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, text TEXT NOT NULL, scope TEXT NOT NULL DEFAULT 'agency',
    origin TEXT NOT NULL DEFAULT 'text', answer_figure INTEGER NOT NULL DEFAULT 0,
    born INTEGER NOT NULL DEFAULT 0, died INTEGER, period TEXT NOT NULL DEFAULT 'year');
CREATE INDEX IF NOT EXISTS facts_metric ON facts(metric);
"""
# Additive changes of the schema, by the version that made them: a store of an older version gets them on
# opening (its documents are re-derived by the next ingest, since the pipeline version changed too).
MIGRATIONS = {
    2: ("ALTER TABLE facts ADD COLUMN scope TEXT NOT NULL DEFAULT 'agency'",
        "ALTER TABLE facts ADD COLUMN origin TEXT NOT NULL DEFAULT 'text'",
        "ALTER TABLE facts ADD COLUMN answer_figure INTEGER NOT NULL DEFAULT 0"),
    3: ("ALTER TABLE documents ADD COLUMN source_type TEXT NOT NULL DEFAULT 'txt'",
        "ALTER TABLE documents ADD COLUMN pages INTEGER",
        "ALTER TABLE documents ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE documents ADD COLUMN page_starts TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE chunks ADD COLUMN page INTEGER"),
    4: ("ALTER TABLE documents ADD COLUMN born INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE documents ADD COLUMN died INTEGER",
        "ALTER TABLE chunks ADD COLUMN born INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE chunks ADD COLUMN died INTEGER",
        "ALTER TABLE facts ADD COLUMN born INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE facts ADD COLUMN died INTEGER"),
    5: ("ALTER TABLE documents ADD COLUMN name TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE documents ADD COLUMN source_url TEXT"),
    6: ("ALTER TABLE facts ADD COLUMN period TEXT NOT NULL DEFAULT 'year'",),
}
# Indexes on columns a migration adds: created after the migrations ran.
LATE_INDEXES = ("CREATE INDEX IF NOT EXISTS chunks_died ON chunks(died)",
                "CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id)",
                "CREATE INDEX IF NOT EXISTS facts_died ON facts(died)",
                # cover figure_candidates' aggregation (a year's figures only) and the counts of documents()
                "CREATE INDEX IF NOT EXISTS facts_figure ON facts(doc_id, metric, answer_figure, scope, start, value, "
                "born, died)",
                "CREATE INDEX IF NOT EXISTS facts_yearly ON facts(doc_id, metric, answer_figure, scope, start, value, "
                "born, died) WHERE period = 'year'",
                "CREATE INDEX IF NOT EXISTS facts_answer ON facts(doc_id, scope, born, died) WHERE answer_figure",
                "CREATE INDEX IF NOT EXISTS chunks_alive ON chunks(doc_id, born, died)")
