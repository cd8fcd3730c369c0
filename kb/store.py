"""Store: SQLite (WAL) holding documents, sections, chunks and facts: the source of truth."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from kb.records import Document
from kb.report.facts import answer_facts

SCHEMA_VERSION = 3  # 3: provenance (documents.source_type, pages, ocr, page_starts; chunks.page)
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, pipeline TEXT NOT NULL,
    encoding TEXT NOT NULL,
    title TEXT NOT NULL, title_composed INTEGER NOT NULL, agency TEXT NOT NULL, region TEXT NOT NULL,
    province TEXT NOT NULL, city TEXT NOT NULL, district TEXT NOT NULL, level TEXT NOT NULL,
    year INTEGER, published TEXT, doc_type TEXT NOT NULL, text TEXT NOT NULL, ingested_at REAL NOT NULL,
    source_type TEXT NOT NULL DEFAULT 'txt', pages INTEGER, ocr INTEGER NOT NULL DEFAULT 0,
    page_starts TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS sections (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, ordinal INTEGER NOT NULL,
    level INTEGER NOT NULL, number TEXT NOT NULL, title TEXT NOT NULL, path TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, body_end INTEGER NOT NULL, parent INTEGER,
    PRIMARY KEY (doc_id, ordinal));
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, ordinal INTEGER NOT NULL,
    section_ordinal INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    section_path TEXT NOT NULL, page INTEGER);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS facts (
    fact_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, metric TEXT NOT NULL,
    value REAL NOT NULL, unit TEXT NOT NULL, approx INTEGER NOT NULL, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, text TEXT NOT NULL, scope TEXT NOT NULL DEFAULT 'agency',
    origin TEXT NOT NULL DEFAULT 'text', answer_figure INTEGER NOT NULL DEFAULT 0);
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
}
DOC_FIELDS = ("doc_id", "path", "sha256", "pipeline", "encoding", "title", "title_composed", "agency", "region", "province",
              "city", "district", "level", "year", "published", "doc_type", "source_type", "pages", "ocr", "page_starts")


class Store:
    """One SQLite connection per thread (the web app serves from several threads)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        db = self.db
        existing = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        version = int(db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]) \
            if existing else SCHEMA_VERSION
        db.executescript(SCHEMA)
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path}: store schema {version} is newer than this kb ({SCHEMA_VERSION}); "
                               "upgrade kb or use another KB_INDEX_DIR")
        with self.transaction():
            for v in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS.get(v, ()):
                    db.execute(statement)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- writing ---------------------------------------------------------------------------------
    def put_document(self, doc: Document) -> None:
        """Insert or replace one document and everything derived from it, in one transaction."""
        d = doc.description
        new_chunks = [(c.ordinal, c.section_ordinal, c.start, c.end, c.text, json.dumps(c.section_path, ensure_ascii=False),
                       c.page) for c in doc.chunks]
        with self.transaction():
            old_chunks = [tuple(r) for r in self.db.execute(
                'SELECT ordinal, section_ordinal, start, "end", text, section_path, page FROM chunks WHERE doc_id = ? '
                "ORDER BY ordinal", (doc.raw.doc_id,))]
            # Unchanged passages keep their ids, so a serving index built earlier still resolves them.
            keep_chunks = old_chunks == new_chunks
            for table in ("sections", "facts") + (() if keep_chunks else ("chunks",)):
                self.db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc.raw.doc_id,))
            self.db.execute(
                f"INSERT INTO documents ({', '.join(DOC_FIELDS)}, text, ingested_at) "
                f"VALUES ({', '.join('?' * (len(DOC_FIELDS) + 2))}) ON CONFLICT(doc_id) DO UPDATE SET "
                + ", ".join(f"{f} = excluded.{f}" for f in DOC_FIELDS[1:] + ("text", "ingested_at")),
                (doc.raw.doc_id, doc.raw.path, doc.raw.sha256, doc.pipeline, doc.raw.encoding, d.title,
                 int(d.title_composed), d.agency, d.region, d.province, d.city, d.district, d.level, d.year,
                 d.published, d.doc_type, doc.raw.source_type, doc.raw.pages, int(doc.raw.ocr),
                 json.dumps(doc.page_starts), doc.text, time.time()))
            self.db.executemany(
                'INSERT INTO sections (doc_id, ordinal, level, number, title, path, start, "end", body_end, parent) '
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(doc.raw.doc_id, s.ordinal, s.level, s.number, s.title, json.dumps(s.path, ensure_ascii=False),
                  s.start, s.end, s.body_end, s.parent) for s in doc.sections])
            if not keep_chunks:
                self.db.executemany(
                    'INSERT INTO chunks (doc_id, ordinal, section_ordinal, start, "end", text, section_path, page) '
                    "VALUES (?,?,?,?,?,?,?,?)", [(doc.raw.doc_id, *c) for c in new_chunks])
            answers = {id(f) for f in answer_facts(doc.facts)}
            self.db.executemany(
                'INSERT INTO facts (doc_id, metric, value, unit, approx, start, "end", text, scope, origin, answer_figure) '
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(doc.raw.doc_id, f.metric, f.value, f.unit, int(f.approx), f.start, f.end, f.text, f.scope, f.origin,
                  int(id(f) in answers)) for f in doc.facts])
            self._bump_generation()

    def delete_document(self, doc_id: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            self._bump_generation()

    def _bump_generation(self) -> None:
        self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")

    # -- reading ---------------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """Changes whenever the corpus changes; indexes record the generation they were built from."""
        return int(self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def file_hashes(self) -> dict[str, tuple[str, str, str]]:
        """doc_id -> (path, sha256, pipeline version) of every stored document."""
        return {r["doc_id"]: (r["path"], r["sha256"], r["pipeline"])
                for r in self.db.execute("SELECT doc_id, path, sha256, pipeline FROM documents")}

    def documents(self) -> list[dict]:
        rows = self.db.execute(
            f"SELECT {', '.join(DOC_FIELDS)}, length(text) AS chars, coalesce(n, 0) AS chunks, "
            "coalesce(scopes, '') AS figure_scope FROM documents "
            "LEFT JOIN (SELECT doc_id, count(*) AS n FROM chunks GROUP BY doc_id) USING (doc_id) "
            "LEFT JOIN (SELECT doc_id, group_concat(DISTINCT scope) AS scopes FROM facts WHERE answer_figure "
            "GROUP BY doc_id) USING (doc_id) ORDER BY doc_id")
        return [_doc_row(r) for r in rows]

    def document(self, doc_id: str) -> dict | None:
        r = self.db.execute(f"SELECT {', '.join(DOC_FIELDS)}, text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return _doc_row(r) if r else None

    def sections(self, doc_id: str) -> list[dict]:
        rows = self.db.execute('SELECT ordinal, level, number, title, path, start, "end", body_end, parent '
                               "FROM sections WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [dict(r) | {"path": json.loads(r["path"])} for r in rows]

    def chunks_by_id(self, chunk_ids: list[int]) -> dict[int, dict]:
        out = {}
        ids = list(chunk_ids)
        for i in range(0, len(ids), 900):  # SQLite's limit on bound parameters
            part = ids[i:i + 900]
            rows = self.db.execute(
                'SELECT c.chunk_id, c.doc_id, c.start, c."end", c.text, c.section_path, c.page, d.title, d.agency, '
                "d.region, d.year, d.doc_type FROM chunks c JOIN documents d USING (doc_id) "
                f"WHERE c.chunk_id IN ({','.join('?' * len(part))})", part)
            for r in rows:
                out[r["chunk_id"]] = dict(r) | {"section": json.loads(r["section_path"])}
        return out

    def iter_chunks(self, batch: int = 2000):
        """Every chunk with its document context, in chunk id order (for index builds)."""
        last = -1
        while True:
            rows = self.db.execute(
                'SELECT c.chunk_id, c.doc_id, c.text, c.section_path, d.title, d.agency, d.region, d.year, '
                "d.doc_type FROM chunks c JOIN documents d USING (doc_id) WHERE c.chunk_id > ? "
                "ORDER BY c.chunk_id LIMIT ?", (last, batch)).fetchall()
            if not rows:
                return
            for r in rows:
                yield dict(r) | {"section": json.loads(r["section_path"])}
            last = rows[-1]["chunk_id"]

    def counts(self) -> dict[str, int]:
        one = lambda sql: self.db.execute(sql).fetchone()[0]
        return {"documents": one("SELECT count(*) FROM documents"), "chunks": one("SELECT count(*) FROM chunks"),
                "facts": one("SELECT count(*) FROM facts")}

    def facts(self, metrics: list[str] | str | None = None, agency: str | None = None,
              year: int | None = None) -> list[dict]:
        """Facts with their document's agency, year, level, region and type; each with its scope ("agency": the
        agency's own figure, "area": a whole 全市/全县 system's) and whether it is its document's answer figure."""
        sql = ('SELECT f.metric, f.value, f.unit, f.approx, f.scope, f.origin, f.answer_figure, f.start, f."end", '
               "f.text, f.doc_id, d.agency, d.year, d.level, d.region, d.province, d.city, d.district, d.doc_type, "
               "d.title FROM facts f JOIN documents d USING (doc_id) WHERE 1=1")
        args: list = []
        metrics = [metrics] if isinstance(metrics, str) else metrics
        if metrics:
            sql += f" AND f.metric IN ({','.join('?' * len(metrics))})"
            args.extend(metrics)
        if agency:
            sql += " AND d.agency LIKE ?"
            args.append(f"%{agency}%")
        if year:
            sql += " AND d.year = ?"
            args.append(int(year))
        sql += " ORDER BY d.agency, d.year, f.metric, f.doc_id, f.start"
        return [dict(r) | {"approx": bool(r["approx"]), "answer_figure": bool(r["answer_figure"])}
                for r in self.db.execute(sql, args)]


def _doc_row(r: sqlite3.Row) -> dict:
    d = dict(r)
    d["title_composed"] = bool(d["title_composed"])
    d["ocr"] = bool(d["ocr"])
    d["page_starts"] = json.loads(d["page_starts"])
    if "figure_scope" in d:  # what the document's figures cover: agency / area / mixed / "" (none)
        scopes = set(filter(None, d["figure_scope"].split(",")))
        d["figure_scope"] = "mixed" if len(scopes) > 1 else next(iter(scopes), "")
    return d


def open_store(path: Path) -> Store:
    return Store(path)

