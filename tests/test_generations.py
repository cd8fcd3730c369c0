"""A growing corpus: incremental builds equal full ones, embeddings are computed once, and a search reads
one generation of store and indexes while a writer moves on."""
from __future__ import annotations

import shutil

import pytest

from kb.indexes.build import build_indexes
from kb.indexes.builds import current_build
from kb.indexes.embed import load_embedder
from kb.ingest import ingest_paths, update_knowledge_base
from kb.questions import answer_question
from kb.search.engine import SearchEngine
from kb.settings import load_settings
from kb.store import Store

QUERIES = [("行政复议", "keyword"), ("政府信息公开申请", "hybrid"), ("主动公开政府信息多少条", "hybrid"),
           ("网站建设", "semantic"), ('"依申请公开" AND year:[2015 TO 2019]', "hybrid"), ("微博 OR 微信", "keyword"),
           ("哪些机关主动公开政府信息超过500条", "hybrid")]
EDITED = "003_e30985a69ba7359e"
REMOVED = "004_54fc93b6680cde9e"


def responses(engine: SearchEngine) -> list[dict]:
    """Everything a researcher sees for the queries: totals, ranked passages with scores, answers."""
    out = []
    for q, mode in QUERIES:
        r = engine.search(q, mode=mode, k=50, facets=True)
        out.append({"q": q, "total": r["total"], "facets": r["facets"], "answer": r["answer"],
                    "results": [(x["chunk_id"], x["doc_id"], x["start"], x["text"], round(x["score"], 9))
                                for x in r["results"]]})
    return out


@pytest.fixture
def corpus_kb(tmp_path, corpus_copy):
    settings = load_settings(index_dir=tmp_path / "index", reports_dir=corpus_copy)
    update_knowledge_base(settings)
    return settings, corpus_copy


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_updates_equal_a_full_build(corpus_kb, tmp_path):
    settings, corpus = corpus_kb
    embedder = load_embedder(settings.embed_model, settings.embed_threads)
    removed = tmp_path / "removed.txt"
    steps = [
        lambda: edit(corpus / f"{EDITED}.txt", "809条", "810条"),
        lambda: shutil.move(corpus / f"{REMOVED}.txt", removed),
        lambda: (corpus / "new_report.txt").write_text(
            (corpus / f"{EDITED}.txt").read_text(encoding="utf-8").replace("哈尔滨", "齐齐哈尔"), encoding="utf-8"),
        lambda: shutil.move(removed, corpus / f"{REMOVED}.txt"),
        lambda: [p.unlink() for p in corpus.iterdir()],  # everything removed
        lambda: shutil.copytree(settings.reports_dir.parent / "removed_all", corpus, dirs_exist_ok=True),
    ]
    shutil.copytree(corpus, settings.reports_dir.parent / "removed_all")
    for step in steps:
        step()
        _, params = update_knowledge_base(settings)
        assert params["update"] == "incremental", params
        incremental = responses(SearchEngine(settings, answer=answer_question))
        store = Store(settings.db_path)
        full = build_indexes(store, settings.index_dir, embedder, settings.hnsw_threshold, full=True)
        store.close()
        assert full["update"] == "full" and full["embedding"]["embedded"] == 0  # every vector from the cache
        assert responses(SearchEngine(settings, answer=answer_question)) == incremental


def test_an_edit_embeds_only_its_new_passages(corpus_kb):
    settings, corpus = corpus_kb
    store = Store(settings.db_path)
    before = store.counts()["chunks"]
    edit(corpus / f"{EDITED}.txt", "809条", "810条")
    results, params = update_knowledge_base(settings)
    changed = [r for r in results if r.status != "unchanged"]
    assert [(r.doc_id, r.status) for r in changed] == [(EDITED, "updated")]
    assert params["update"] == "incremental" and params["chunks"] == before
    assert 1 <= params["passages_added"] == params["passages_removed"] < 5
    assert params["embedding"] == {"embedded": params["passages_added"], "reused": before - params["passages_added"]}
    # An unchanged corpus builds nothing; a rebuild from nothing embeds nothing either.
    assert update_knowledge_base(settings)[1] is None
    rebuilt = update_knowledge_base(settings, rebuild=True)[1]
    assert rebuilt["update"] == "full" and rebuilt["embedding"] == {"embedded": 0, "reused": before}


def test_a_search_reads_the_generation_of_its_index(corpus_kb):
    """Between a writer's commit and the switch to the index that knows it, searches see the old corpus."""
    settings, corpus = corpus_kb
    engine = SearchEngine(settings, answer=answer_question)
    before = responses(engine)
    old_total = engine.search("哈尔滨", mode="keyword", k=100)["total"]
    edit(corpus / f"{EDITED}.txt", "809条", "810条")
    (corpus / f"{REMOVED}.txt").unlink()
    store = Store(settings.db_path)
    ingest_paths(store, [corpus], settings.chunk_chars)  # the store moves on; no index built yet
    assert store.document(REMOVED) is None
    store.purge(engine.indexes.params["store_generation"])  # what the next writer does first: keeps what is served
    engine.refresh()
    assert responses(engine) == before
    r = engine.search("哪些机关主动公开政府信息超过500条", k=100)
    assert r["total"] == sum(x["match"] for x in r["results"]) or r["total"] > 100
    assert engine.search("哈尔滨", mode="keyword", k=100)["total"] == old_total
    assert "809" in str(r["answer"]) and "810" not in str(r["answer"])
    # The build switches the whole response to the new generation at once.
    build = current_build(settings.index_dir)
    served_before = {r["doc_id"] for r in engine.export("政府信息公开", mode="keyword")[1]}
    update_knowledge_base(settings)
    # An export, like a search, switches to the new build by itself.
    served_after = {r["doc_id"] for r in engine.export("政府信息公开", mode="keyword")[1]}
    assert REMOVED in served_before and REMOVED not in served_after
    assert engine.indexes.build != build
    engine.refresh()
    after = engine.search("哪些机关主动公开政府信息超过500条", k=100)
    assert "810" in str(after["answer"])
    assert REMOVED not in {x["doc_id"] for resp in responses(engine) for x in (dict(zip(
        ("chunk_id", "doc_id"), row)) for row in resp["results"])}
    store.close()
