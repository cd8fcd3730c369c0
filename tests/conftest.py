"""Fixtures: one knowledge base built from the real seeds (real embedder, FAISS, SQLite)."""
from __future__ import annotations

import os
import shutil

import pytest

from kb.ingest import update_knowledge_base
from kb.questions import answer_question
from kb.search.engine import SearchEngine
from kb.settings import PROJECT_ROOT, load_settings

SEEDS = PROJECT_ROOT / "data" / "reports"
DEV_QUERIES = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def require_shared(path) -> None:
    """Skip a test whose data from ../shared (the real reports, the dev queries) is absent, saying where it is
    looked for; under CI, which always has ../shared beside the checkout, that is a failure."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI always has ../shared beside the checkout")
        pytest.skip(f"{path} is absent (../shared lives beside the checkout)")


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory):
    """Settings whose store and indexes live in a temporary directory, built from data/reports."""
    index_dir = tmp_path_factory.mktemp("index")
    settings = load_settings(index_dir=index_dir, reports_dir=SEEDS)
    results, params = update_knowledge_base(settings)
    assert all(r.status == "added" for r in results), results
    assert params is not None
    return settings


@pytest.fixture(scope="session")
def engine(kb_settings):
    return SearchEngine(kb_settings, answer=answer_question)


@pytest.fixture(scope="session")
def app(kb_settings):
    from web import create_app

    return create_app({"KB_SETTINGS": kb_settings, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def corpus_copy(tmp_path):
    """A writable copy of the seeds, for tests that edit or delete report files."""
    reports = tmp_path / "reports"
    shutil.copytree(SEEDS, reports)
    return reports


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


REAL_REPORTS = PROJECT_ROOT.parent / "shared" / "real" / "reports"


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory):
    """The seeds + ../shared/real/reports (the topical dev set's 41 files) in one knowledge base."""
    require_shared(REAL_REPORTS)
    settings = load_settings(index_dir=tmp_path_factory.mktemp("real-index"), reports_dir=SEEDS)
    update_knowledge_base(settings, [SEEDS, REAL_REPORTS])
    return SearchEngine(settings)
