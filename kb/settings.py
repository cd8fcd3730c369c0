"""All settings in one table: name, default, environment variable, meaning.

Every other module reads settings from here; nothing else looks at os.environ.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from kb.threads import available_cores

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: object
    help: str


SETTINGS_TABLE: tuple[Setting, ...] = (
    Setting("reports_dir", "KB_REPORTS_DIR", PROJECT_ROOT / "data" / "reports", "report files ingested by default"),
    Setting("index_dir", "KB_INDEX_DIR", PROJECT_ROOT / "index", "store (kb.sqlite3) and built indexes"),
    Setting("embed_model", "KB_EMBED_MODEL", "use-multilingual-v3",
            "embedder: 'use-multilingual-v3' (default) or a sentence-transformers hub name / local folder"),
    Setting("embed_threads", "KB_EMBED_THREADS", 0,
            "old name of KB_INDEX_THREADS, read when that is unset; the embedder's threads in a process are "
            "KB_INDEX_THREADS for ingest and KB_QUERY_THREADS in a server"),
    Setting("chunk_chars", "KB_CHUNK_CHARS", 160, "target passage size in characters (measured with bench/tune.py)"),
    Setting("hnsw_threshold", "KB_HNSW_THRESHOLD", 50_000, "chunk count above which FAISS uses HNSW instead of exact search"),
    Setting("keyword_weight", "KB_KEYWORD_WEIGHT", 0.7, "weight of the keyword score in hybrid fusion (semantic gets 1 - w)"),
    Setting("candidates", "KB_CANDIDATES", 100, "hits taken from each index before fusion"),
    Setting("max_file_mb", "KB_MAX_FILE_MB", 20.0, "a report file larger than this is reported and skipped"),
    Setting("file_seconds", "KB_FILE_SECONDS", 120.0,
            "time budget for reading and processing one file; over it, the file is reported and skipped (0: none)"),
    Setting("file_memory_mb", "KB_FILE_MEMORY_MB", 1024,
            "memory budget (address space, MB) of the process that reads and processes one file; a file over it "
            "is reported and skipped (0: none; needs KB_FILE_SECONDS > 0, which runs files in that process)"),
    # Plausibility limits: the largest report of data/reports and the real set has 38 passages, 11 figures
    # and 27 sections (bench/hostile.py prints them); a 40-page report a few hundred passages.
    Setting("max_passages", "KB_MAX_PASSAGES", 5_000,
            "passages one report may produce; a file over it is reported and skipped, not stored"),
    Setting("max_figures", "KB_MAX_FIGURES", 2_000,
            "figures one report may state (a sentence repeated many times counts once); over it, reported and skipped"),
    Setting("max_sections", "KB_MAX_SECTIONS", 1_000, "sections one report may have; over it, reported and skipped"),
    Setting("allowed_hosts", "KB_ALLOWED_HOSTS", "",
            "Host header values the server answers (comma-separated; '*' any, '.example.org' a domain and its "
            "subdomains); empty: localhost names, plus this machine's names when serving on a non-loopback address"),
    Setting("cors_origins", "KB_CORS_ORIGINS", "",
            "origins whose pages may read the JSON API (comma-separated, or '*'); empty: none"),
    Setting("connection_limit", "KB_CONNECTION_LIMIT", 1000, "open connections the server accepts at once"),
    Setting("channel_timeout", "KB_CHANNEL_TIMEOUT", 20, "seconds an idle connection stays open"),
    Setting("request_seconds", "KB_REQUEST_SECONDS", 10,
            "seconds a client has to send a whole request (head and any body) once it started; a client that "
            "trickles one header line at a time is closed after it"),
    Setting("workers", "KB_WORKERS", available_cores(),
            "server processes sharing the listening socket (1: one process, no supervisor); default the core "
            "count: one query runs on one core, and one process is GIL-bound at ~1.3 cores (bench/RESULTS.md)"),
    Setting("query_threads", "KB_QUERY_THREADS", 1,
            "BLAS/OpenMP threads per query in a server (query embedding, FAISS search); 1: with several queries "
            "at once, more threads per query only contend for the cores (bench/latency_split.py)"),
    Setting("index_threads", "KB_INDEX_THREADS", 0,
            "BLAS/OpenMP threads for ingest and index builds (embedding batches, FAISS build); 0: the core count"),
)


@dataclass(frozen=True)
class Settings:
    reports_dir: Path
    index_dir: Path
    embed_model: str
    embed_threads: int
    chunk_chars: int
    hnsw_threshold: int
    keyword_weight: float
    candidates: int
    max_file_mb: float
    file_seconds: float
    file_memory_mb: int
    max_passages: int
    max_figures: int
    max_sections: int
    allowed_hosts: str
    cors_origins: str
    connection_limit: int
    channel_timeout: int
    request_seconds: int
    workers: int
    query_threads: int
    index_threads: int

    @property
    def db_path(self) -> Path:
        return self.index_dir / "kb.sqlite3"

    def with_(self, **changes) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _coerce(default: object, raw: str) -> object:
    if isinstance(default, Path):
        return Path(raw).expanduser().resolve()
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_settings(**overrides) -> Settings:
    """Defaults, then environment variables, then explicit overrides (CLI flags, app config)."""
    values = {}
    for s in SETTINGS_TABLE:
        raw = os.environ.get(s.env)
        try:
            values[s.name] = _coerce(s.default, raw) if raw not in (None, "") else s.default
        except ValueError as exc:
            raise ValueError(f"{s.env}={raw!r}: {exc}") from None
    for name, value in overrides.items():
        if value is None:
            continue
        default = next((s.default for s in SETTINGS_TABLE if s.name == name), None)
        values[name] = _coerce(default, value) if isinstance(value, str) and not isinstance(default, str) else value
    _resolve_threads(values)
    return Settings(**values)


def _resolve_threads(values: dict) -> None:
    """KB_EMBED_THREADS is the old name of KB_INDEX_THREADS; `embed_threads` is what the embedder of this
    process uses (a server sets it to query_threads, web/workers.py)."""
    old, new = values["embed_threads"], values["index_threads"]
    if old and new and old != new:
        raise ValueError(f"KB_EMBED_THREADS={old} and KB_INDEX_THREADS={new}: KB_EMBED_THREADS is the old name "
                         "of KB_INDEX_THREADS; set only KB_INDEX_THREADS")
    values["index_threads"] = new or old or available_cores()
    values["embed_threads"] = values["index_threads"]
    for name in ("workers", "query_threads", "index_threads"):
        if values[name] < 1:
            env = next(s.env for s in SETTINGS_TABLE if s.name == name)
            raise ValueError(f"{env}={values[name]}: must be at least 1")
