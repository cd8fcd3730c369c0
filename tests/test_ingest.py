"""Store and incremental ingest: unchanged is a no-op, an edit re-ingests one file, a deletion removes it."""
from __future__ import annotations

from kb.ingest import ingest_paths
from kb.store import Store


def statuses(results):
    return {r.doc_id: r.status for r in results}


def test_incremental_ingest(tmp_path, corpus_copy):
    store = Store(tmp_path / "kb.sqlite3")
    first = statuses(ingest_paths(store, [corpus_copy], 160))
    assert set(first.values()) == {"added"} and len(first) == 5
    generation = store.generation
    chunk_rows = store.db.execute("SELECT chunk_id, doc_id FROM chunks ORDER BY chunk_id").fetchall()

    again = statuses(ingest_paths(store, [corpus_copy], 160))
    assert set(again.values()) == {"unchanged"}
    assert store.generation == generation  # nothing written: the indexes stay current
    assert store.db.execute("SELECT chunk_id, doc_id FROM chunks ORDER BY chunk_id").fetchall() == chunk_rows

    edited = corpus_copy / "003_e30985a69ba7359e.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("809条", "810条"), encoding="utf-8")
    third = statuses(ingest_paths(store, [corpus_copy], 160))
    assert third.pop("003_e30985a69ba7359e") == "updated"
    assert set(third.values()) == {"unchanged"}
    # only the edited document's rows were replaced
    others = [r for r in chunk_rows if r["doc_id"] != "003_e30985a69ba7359e"]
    now = store.db.execute("SELECT chunk_id, doc_id FROM chunks WHERE doc_id != '003_e30985a69ba7359e' "
                           "ORDER BY chunk_id").fetchall()
    assert [tuple(r) for r in now] == [tuple(r) for r in others]
    # The edit retired the passages it changed and added new ones after every other id.
    edited_rows = store.db.execute("SELECT chunk_id, died FROM chunks WHERE doc_id = '003_e30985a69ba7359e'").fetchall()
    retired = [r["chunk_id"] for r in edited_rows if r["died"] is not None]
    added = [r["chunk_id"] for r in edited_rows if r["chunk_id"] > chunk_rows[-1]["chunk_id"]]
    assert len(retired) == len(added) >= 1
    assert "810条" in store.document("003_e30985a69ba7359e")["text"]
    assert [f["value"] for f in store.facts("proactive_disclosed", "哈尔滨")] == [810]

    (corpus_copy / "004_54fc93b6680cde9e.txt").unlink()
    fourth = statuses(ingest_paths(store, [corpus_copy], 160))
    assert fourth["004_54fc93b6680cde9e"] == "removed"
    assert store.document("004_54fc93b6680cde9e") is None
    removed_rows = "SELECT count(*) FROM chunks WHERE doc_id = '004_54fc93b6680cde9e'"
    # Its rows stay readable for an index built before the removal, and go once no index can cite them.
    assert store.db.execute(removed_rows + " AND died IS NULL").fetchone()[0] == 0
    assert store.db.execute(removed_rows).fetchone()[0] > 0
    assert [d["doc_id"] for d in store.at(generation).documents()].count("004_54fc93b6680cde9e") == 1
    assert [f["value"] for f in store.at(generation).facts("proactive_disclosed", "哈尔滨")] == [809]
    store.purge(store.generation)
    assert store.db.execute(removed_rows).fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM chunks WHERE died IS NOT NULL").fetchone()[0] == 0


def test_a_new_chunk_size_reprocesses_unchanged_files(tmp_path, corpus_copy):
    store = Store(tmp_path / "kb.sqlite3")
    ingest_paths(store, [corpus_copy], 160)
    assert set(statuses(ingest_paths(store, [corpus_copy], 300)).values()) == {"updated"}


def test_reprocessing_unchanged_text_keeps_passage_ids(tmp_path, corpus_copy):
    store = Store(tmp_path / "kb.sqlite3")
    ingest_paths(store, [corpus_copy], 160)
    before = store.db.execute("SELECT chunk_id, text FROM chunks ORDER BY chunk_id").fetchall()
    assert set(statuses(ingest_paths(store, [corpus_copy], 160, reprocess=True)).values()) == {"updated"}
    assert store.db.execute("SELECT chunk_id, text FROM chunks ORDER BY chunk_id").fetchall() == before
    assert store.counts()["facts"] > 20 and len(store.sections("000_596e1eebe5f5a48f")) > 10
