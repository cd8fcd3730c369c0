"""Store: SQLite (WAL) holding documents, sections, chunks and facts: the source of truth.

Rows are versioned by store generation (one generation per committed change), so that a search served
by an index built at generation G reads the store as it was at G while a writer moves on: a document,
passage or figure carries `born` (the generation that added it) and `died` (the one that replaced or
removed it; NULL while current). Passage rows never change once written: an edit retires the old
passages and adds new ones. Superseded rows stay readable until no serving index can need them
(`purge`).
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from kb.records import Document
from kb.report.facts import answer_facts
from kb.store_schema import LATE_INDEXES, MIGRATIONS, SCHEMA, SCHEMA_VERSION

ALIVE = "died IS NULL"
STATED_VALUES = 50  # a group's values listed one by one up to this many statements (a report states a few)


def visible(alias: str, generation: int | None) -> str:
    """SQL condition: the row of table `alias` is current (generation None) or was current at `generation`."""
    if generation is None:
        return f"{alias}.died IS NULL"
    g = int(generation)
    return f"{alias}.born <= {g} AND ({alias}.died IS NULL OR {alias}.died > {g})"
CONTEXT_FIELDS = ("title", "agency", "region", "year", "doc_type")
# Written per document; "path" (where the file is on this server) is read back only by ingest and
# original_file(): records handed out carry "path" as the name relative to the corpus instead.
DOC_FIELDS = ("doc_id", "path", "sha256", "pipeline", "encoding", "title", "title_composed", "agency", "region", "province",
              "city", "district", "level", "year", "published", "doc_type", "source_type", "pages", "ocr", "page_starts",
              "name", "source_url")


class Store:
    """One SQLite connection per thread (the web app serves from several threads)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._documents: dict[int, list[dict]] = {}  # generation -> documents()
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
            for statement in LATE_INDEXES:
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
        """Insert or replace one document and everything derived from it, in one transaction (one generation).

        Passages identical to a current one of the document keep their row and id; the others are retired
        (died = the new generation) and new rows added, so an index built earlier still resolves its ids.
        """
        d = doc.description
        doc_id = doc.raw.doc_id
        new_chunks = [(c.ordinal, c.section_ordinal, c.start, c.end, c.text, json.dumps(c.section_path, ensure_ascii=False),
                       c.page) for c in doc.chunks]
        with self.transaction():
            gen = self._bump_generation()
            old_chunks: dict[tuple, list[int]] = {}
            before = self.db.execute(f"SELECT {', '.join(CONTEXT_FIELDS)}, died FROM documents WHERE doc_id = ?",
                                     (doc_id,)).fetchone()
            # A passage is indexed with its document's context (title, agency, region, year, type): when that
            # changed, every passage is new to the indexes.
            same_context = before is not None and before["died"] is None and \
                tuple(before)[:-1] == (d.title, d.agency, d.region, d.year, d.doc_type)
            for r in () if not same_context else self.db.execute('SELECT chunk_id, ordinal, section_ordinal, start, "end", text, section_path, page '
                                     f"FROM chunks WHERE doc_id = ? AND {ALIVE}", (doc_id,)):
                old_chunks.setdefault(tuple(r)[1:], []).append(r["chunk_id"])
            added = []
            for c in new_chunks:
                kept = old_chunks.get(c)
                if kept:
                    kept.pop()
                else:
                    added.append(c)
            retired = [cid for ids in old_chunks.values() for cid in ids]
            self.db.executemany("UPDATE chunks SET died = ? WHERE chunk_id = ?", [(gen, cid) for cid in retired])
            self.db.execute(f"UPDATE facts SET died = ? WHERE doc_id = ? AND {ALIVE}", (gen, doc_id))
            self.db.execute("DELETE FROM sections WHERE doc_id = ?", (doc_id,))
            # born: the generation since which the document exists without a gap (kept across edits).
            self.db.execute(
                f"INSERT INTO documents ({', '.join(DOC_FIELDS)}, text, ingested_at, born, died) "
                f"VALUES ({', '.join('?' * (len(DOC_FIELDS) + 4))}) ON CONFLICT(doc_id) DO UPDATE SET "
                + ", ".join(f"{f} = excluded.{f}" for f in DOC_FIELDS[1:] + ("text", "ingested_at"))
                + ", born = CASE WHEN died IS NULL THEN born ELSE excluded.born END, died = NULL",
                (doc_id, doc.raw.path, doc.raw.sha256, doc.pipeline, doc.raw.encoding, d.title,
                 int(d.title_composed), d.agency, d.region, d.province, d.city, d.district, d.level, d.year,
                 d.published, d.doc_type, doc.raw.source_type, doc.raw.pages, int(doc.raw.ocr),
                 json.dumps(doc.page_starts), doc.raw.name or Path(doc.raw.path).name, d.source_url, doc.text,
                 time.time(), gen, None))
            self.db.executemany(
                'INSERT INTO sections (doc_id, ordinal, level, number, title, path, start, "end", body_end, parent) '
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(doc_id, s.ordinal, s.level, s.number, s.title, json.dumps(s.path, ensure_ascii=False),
                  s.start, s.end, s.body_end, s.parent) for s in doc.sections])
            self.db.executemany(
                'INSERT INTO chunks (doc_id, ordinal, section_ordinal, start, "end", text, section_path, page, born) '
                "VALUES (?,?,?,?,?,?,?,?,?)", [(doc_id, *c, gen) for c in added])
            answers = {id(f) for f in answer_facts(doc.facts)}
            self.db.executemany(
                'INSERT INTO facts (doc_id, metric, value, unit, approx, start, "end", text, scope, origin, answer_figure, '
                "born, period) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(doc_id, f.metric, f.value, f.unit, int(f.approx), f.start, f.end, f.text, f.scope, f.origin,
                  int(id(f) in answers), gen, f.period) for f in doc.facts])

    def delete_document(self, doc_id: str) -> None:
        """Retire a document with its passages and figures (rows stay until purge)."""
        with self.transaction():
            gen = self._bump_generation()
            for table in ("documents", "chunks", "facts"):
                self.db.execute(f"UPDATE {table} SET died = ? WHERE doc_id = ? AND {ALIVE}", (gen, doc_id))
            self.db.execute("DELETE FROM sections WHERE doc_id = ?", (doc_id,))

    def purge(self, serving_generation: int) -> int:
        """Delete rows retired at or before the generation the serving index was built from (it no longer
        reads them); returns the number of passages removed."""
        with self.transaction():
            n = self.db.execute("DELETE FROM chunks WHERE died <= ?", (serving_generation,)).rowcount
            self.db.execute("DELETE FROM facts WHERE died <= ?", (serving_generation,))
            self.db.execute("DELETE FROM documents WHERE died <= ?", (serving_generation,))
        return n

    def _bump_generation(self) -> int:
        self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        return self.generation

    # -- reading ---------------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """Changes whenever the corpus changes; indexes record the generation they were built from."""
        return int(self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def file_hashes(self) -> dict[str, tuple[str, str, str]]:
        """doc_id -> (path, sha256, pipeline version) of every current document."""
        return {r["doc_id"]: (r["path"], r["sha256"], r["pipeline"])
                for r in self.db.execute(f"SELECT doc_id, path, sha256, pipeline FROM documents WHERE {ALIVE}")}

    def documents(self, generation: int | None = None) -> list[dict]:
        """Current documents (or those of `generation`), with passage count and figure scope. Read once per
        generation (a generation's rows never change; every write makes a new one): a page listing them
        costs no scan of a long document's text."""
        generation = self.generation if generation is None else generation
        cached = self._documents.get(generation)
        if cached is None:
            cached = self._documents[generation] = self._read_documents(generation)
            for old in sorted(self._documents)[:-2]:  # the current one and a served build's
                self._documents.pop(old, None)
        return [dict(d) for d in cached]

    def _read_documents(self, generation: int) -> list[dict]:
        rows = self.db.execute(
            f"SELECT {', '.join('d.' + f for f in DOC_FIELDS)}, length(d.text) AS chars, coalesce(n, 0) AS chunks, "
            "coalesce(scopes, '') AS figure_scope FROM documents d "
            # "+": counted on the covering indexes chunks_alive and facts_answer, not looked up by `died`
            f"LEFT JOIN (SELECT doc_id, count(*) AS n FROM chunks c WHERE +{visible('c', generation)} GROUP BY doc_id) "
            "USING (doc_id) "
            "LEFT JOIN (SELECT doc_id, group_concat(DISTINCT scope) AS scopes FROM facts f WHERE answer_figure "
            f"AND +{visible('f', generation)} GROUP BY doc_id) USING (doc_id) "
            f"WHERE {visible('d', generation)} ORDER BY doc_id")
        return [_doc_row(r) for r in rows]

    def original_file(self, doc_id: str) -> tuple[Path, str, str] | None:
        """(where the file is on this server, its sha256 when ingested, its name) of a current document."""
        r = self.db.execute(f"SELECT path, sha256, name FROM documents WHERE doc_id = ? AND {ALIVE}", (doc_id,)).fetchone()
        return (Path(r["path"]), r["sha256"], r["name"] or Path(r["path"]).name) if r else None

    def document(self, doc_id: str) -> dict | None:
        r = self.db.execute(f"SELECT {', '.join(DOC_FIELDS)}, text FROM documents WHERE doc_id = ? AND {ALIVE}",
                            (doc_id,)).fetchone()
        return _doc_row(r) if r else None

    def sections(self, doc_id: str) -> list[dict]:
        rows = self.db.execute('SELECT ordinal, level, number, title, path, start, "end", body_end, parent '
                               "FROM sections WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [dict(r) | {"path": json.loads(r["path"])} for r in rows]

    def chunks_by_id(self, chunk_ids: list[int]) -> dict[int, dict]:
        """Passages by id, current or superseded (an index built earlier still cites them until purge)."""
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

    def live_chunk_ids(self) -> np.ndarray:
        """Ids of the current passages, ascending (the rows of an index built now)."""
        rows = self.db.execute(f"SELECT chunk_id FROM chunks WHERE {ALIVE} ORDER BY chunk_id").fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def iter_chunks(self, batch: int = 2000, chunk_ids: np.ndarray | None = None):
        """Current chunks with their document context in chunk id order (for index builds); only those of
        `chunk_ids` (ascending) when given."""
        columns = ('SELECT c.chunk_id, c.doc_id, c.text, c.section_path, d.title, d.agency, d.region, d.year, '
                   "d.doc_type FROM chunks c JOIN documents d USING (doc_id) ")
        if chunk_ids is not None:
            for i in range(0, len(chunk_ids), 900):
                part = [int(x) for x in chunk_ids[i:i + 900]]
                rows = self.db.execute(columns + f"WHERE c.chunk_id IN ({','.join('?' * len(part))}) "
                                       "ORDER BY c.chunk_id", part).fetchall()
                for r in rows:
                    yield dict(r) | {"section": json.loads(r["section_path"])}
            return
        last = -1
        while True:
            rows = self.db.execute(columns + f"WHERE c.chunk_id > ? AND c.{ALIVE} ORDER BY c.chunk_id LIMIT ?",
                                   (last, batch)).fetchall()
            if not rows:
                return
            for r in rows:
                yield dict(r) | {"section": json.loads(r["section_path"])}
            last = rows[-1]["chunk_id"]

    def chunk_places(self) -> list[tuple[int, str, str]]:
        """(chunk id, doc id, section path JSON) of every current passage, ascending: a catalog without texts."""
        return self.db.execute(f"SELECT chunk_id, doc_id, section_path FROM chunks WHERE {ALIVE} "
                               "ORDER BY chunk_id").fetchall()

    def counts(self) -> dict[str, int]:
        one = lambda sql: self.db.execute(sql).fetchone()[0]
        return {"documents": one(f"SELECT count(*) FROM documents WHERE {ALIVE}"),
                "chunks": one(f"SELECT count(*) FROM chunks WHERE {ALIVE}"),
                "facts": one(f"SELECT count(*) FROM facts WHERE {ALIVE}")}

    def at(self, generation: int) -> Snapshot:
        return Snapshot(self, generation)

    def facts(self, metrics: list[str] | str | None = None, agency: str | None = None,
              year: int | None = None, generation: int | None = None) -> list[dict]:
        """Facts with their document's agency, year, level, region and type; each with its scope ("agency": the
        agency's own figure, "area": a whole 全市/全县 system's) and whether it is its document's answer figure."""
        sql = ('SELECT f.metric, f.value, f.unit, f.approx, f.scope, f.origin, f.answer_figure, f.start, f."end", '
               "f.period, f.text, f.doc_id, d.agency, d.year, d.level, d.region, d.province, d.city, d.district, d.doc_type, "
               f"d.title FROM facts f JOIN documents d USING (doc_id) WHERE {visible('f', generation)}")
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

    def figure_candidates(self, generation: int | None = None) -> list[dict]:
        """The facts that can stand for their agency × year × metric (a year's, never a running total's or a
        part of a year's): the first statement of each (document, metric, answer figure or not, scope), with
        that group's `count` of statements, their `statement_values` (comma-separated; past STATED_VALUES
        statements none) and `low` / `high`. Aggregated on the facts_figure index, so a document stating
        thousands of figures costs an index scan, not thousands of rows."""
        firsts = ('SELECT doc_id, metric, answer_figure, scope, min(start) AS start, count(*) AS count, '
                  f"CASE WHEN count(*) <= {STATED_VALUES} THEN group_concat(value) END AS statement_values, "
                  f"min(value) AS low, max(value) AS high FROM facts f "
                  f"WHERE period = 'year' AND +{visible('f', generation)} "
                  "GROUP BY doc_id, metric, answer_figure, scope")
        sql = ('SELECT f.metric, f.value, f.unit, f.approx, f.scope, f.origin, f.answer_figure, f.start, f."end", '
               "f.text, f.doc_id, d.agency, d.year, d.level, d.region, d.doc_type, a.count, a.statement_values, "
               "a.low, a.high "
               f"FROM ({firsts}) a JOIN facts f ON f.doc_id = a.doc_id AND f.metric = a.metric AND "
               "f.answer_figure = a.answer_figure AND f.scope = a.scope AND f.start = a.start AND "
               "f.period = 'year' AND "
               f"{visible('f', generation)} JOIN documents d ON d.doc_id = a.doc_id")
        return [dict(r) | {"approx": bool(r["approx"]), "answer_figure": bool(r["answer_figure"])}
                for r in self.db.execute(sql)]


def _doc_row(r: sqlite3.Row) -> dict:
    d = dict(r)
    # The server's own file path stays inside: a document's path is its name relative to the corpus.
    d["path"] = d.pop("name") or Path(d["path"]).name
    d["title_composed"] = bool(d["title_composed"])
    d["ocr"] = bool(d["ocr"])
    d["page_starts"] = json.loads(d["page_starts"])
    if "figure_scope" in d:  # what the document's figures cover: agency / area / mixed / "" (none)
        scopes = set(filter(None, d["figure_scope"].split(",")))
        d["figure_scope"] = "mixed" if len(scopes) > 1 else next(iter(scopes), "")
    return d


class Snapshot:
    """The store as an index built at `generation` reads it: that generation's documents and figures."""

    def __init__(self, store: Store, generation: int):
        self.store, self.generation = store, generation
        self._candidates: list[dict] | None = None

    def documents(self) -> list[dict]:
        return self.store.documents(self.generation)

    def facts(self, metrics=None, agency=None, year=None) -> list[dict]:
        return self.store.facts(metrics, agency, year, generation=self.generation)

    def figure_candidates(self) -> list[dict]:  # read once: a generation's rows never change
        if self._candidates is None:
            self._candidates = self.store.figure_candidates(self.generation)
        return self._candidates

