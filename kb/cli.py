"""The `kb` command: a thin layer over the library."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from kb.indexes.builds import IndexMissing
from kb.indexes.embed import EmbedderError
from kb.ingest import FileResult, update_knowledge_base
from kb.lock import WriterBusy
from kb.names import escaped, escaped_lines
from kb.questions import answer_question
from kb.report.agency import LEVELS
from kb.search.engine import SearchEngine
from kb.search.evaluate import evaluate, load_queries
from kb.search.filters import Filters
from kb.search.params import MODES, SearchError
from kb.settings import load_settings
from kb.store import Store

SCOPE_LABELS = {"agency": "agency", "area": "area", "mixed": "agency+area"}


EXIT_BUSY = 75  # EX_TEMPFAIL: another ingest holds the index directory; try again later


def echo(message: object = "", **kwargs) -> None:
    """click.echo with control and bidirectional characters shown as escapes (kb/names.py): a document's
    name or text cannot rewrite the terminal or make a listing lie."""
    click.echo(escaped_lines(str(message)), **kwargs)


def _echo_json(data) -> None:
    echo(json.dumps(data, ensure_ascii=False, indent=2))


def run_update(settings, paths=None, rebuild=False, quiet=False, reprocess=False, wait=True) -> list[FileResult]:
    """Ingest and (re)build indexes with progress on the terminal; prints one line per file.

    wait=False: raise WriterBusy at once when another ingest holds the index directory."""
    bars: list[tqdm] = []

    def file_progress(files):
        bars.append(tqdm(files, desc="reading reports", unit="file", file=sys.stderr, disable=quiet))
        return bars[-1]

    def stage_progress(stage: str, total: int):
        if bars:
            bars[-1].close()
        bars.append(tqdm(total=total, desc=stage, unit="passage", file=sys.stderr, disable=quiet))
        return bars[-1].update

    try:
        results, params = update_knowledge_base(settings, paths, rebuild, file_progress, stage_progress, reprocess,
                                                wait=wait, on_wait=lambda msg: echo(msg, err=True))
    finally:
        for bar in bars:
            bar.close()
    if not quiet:
        for r in results:
            detail = "; ".join(x for x in (r.provenance(), r.reason) if x)
            echo(escaped(f"{r.status:9} {r.doc_id}" + (f"  ({detail})" if detail else "")))
        if params:
            echo(index_summary(params), err=True)
    return results


def index_summary(params: dict) -> str:
    """"index updated: 198,057 passages (+41, -38); embedded 41 new passages, reused 198,016; 12.3 s"."""
    e = params.get("embedding", {})
    verb = "updated" if params.get("update") == "incremental" else "built"
    seconds = sum(params.get("timings_s", {}).values())
    return (f"index {verb}: {params['chunks']:,} passages (+{params.get('passages_added', 0):,}, "
            f"-{params.get('passages_removed', 0):,}), model {params['model']}, {params['vector_index']} vectors; "
            f"embedded {e.get('embedded', 0):,} new passages, reused {e.get('reused', 0):,}; {seconds:.1f} s")


@click.group()
@click.version_option(package_name="kb")
def main():
    """kb: search Chinese government information-disclosure reports."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--model", help="embedding model (default: the packaged USE; or a sentence-transformers name/folder)")
@click.option("--rebuild", is_flag=True, help="rebuild the indexes even if nothing changed")
@click.option("--reprocess", is_flag=True, help="re-run cleaning, sections, chunks and facts on unchanged files too")
@click.option("--wait", is_flag=True, help="when another ingest is updating the index, wait for it instead of exiting")
@click.option("--json", "as_json", is_flag=True, help="print the per-file results as JSON")
def ingest(paths, model, rebuild, reprocess, wait, as_json):
    """Ingest report files (default: data/reports) and build the indexes."""
    settings = load_settings(embed_model=model)
    try:
        results = run_update(settings, list(paths) or None, rebuild, quiet=as_json, reprocess=reprocess, wait=wait)
    except EmbedderError as exc:
        raise click.ClickException(str(exc)) from None
    except WriterBusy as exc:
        echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    counts = {s: sum(r.status == s for r in results)
              for s in ("added", "updated", "unchanged", "removed", "duplicate", "skipped", "failed")}
    if as_json:
        _echo_json({"files": [vars(r) for r in results], "summary": counts})
    else:
        echo(", ".join(f"{n} {s}" for s, n in counts.items()))
    if counts["failed"]:
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True)
def docs(as_json):
    """List the documents with their metadata."""
    store = Store(load_settings().db_path)
    rows = store.documents()
    if as_json:
        _echo_json(rows)
        return
    for d in rows:
        scope = SCOPE_LABELS.get(d["figure_scope"], "-")
        title = d["title"] + (" (composed)" if d["title_composed"] else "")
        echo(escaped(f"{d['doc_id']}  {d['agency']}  {d['year'] or '-'}  {d['doc_type']}  {d['level'] or '-'}  "
                     f"{d['region'] or '-'}  figures: {scope}  {title}"))


@main.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
def show(doc_id, as_json):
    """Print a document with its section tree."""
    store = Store(load_settings().db_path)
    doc = store.document(doc_id)
    if doc is None:
        raise click.ClickException(f"no document {doc_id!r}; `kb docs` lists them")
    sections = store.sections(doc_id)
    if as_json:
        _echo_json(doc | {"sections": sections})
        return
    for key in ("title", "agency", "region", "level", "year", "published", "doc_type", "path"):
        echo(f"{key:10} {escaped(str(doc[key]))}")
    echo("\nsections:")
    for s in sections:
        echo(f"{'  ' * s['level']}{s['number']}{s['title']}  [{s['start']}:{s['end']}]")
    echo("\n" + doc["text"])


def _open_engine(model):
    settings = load_settings(embed_model=model)
    try:
        return SearchEngine(settings, answer=answer_question)
    except (IndexMissing, EmbedderError) as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("query")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--k", type=int, default=10, show_default=True)
@click.option("--agency")
@click.option("--year", type=int)
@click.option("--region")
@click.option("--doc-type")
@click.option("--model", help="must be the model the index was built with")
@click.option("--json", "as_json", is_flag=True, help="the same JSON as /api/search")
def search(query, mode, k, agency, year, region, doc_type, model, as_json):
    """Search the reports."""
    engine = _open_engine(model)
    filters = Filters(agency=agency, region=region, doc_type=doc_type, year_from=year, year_to=year)
    try:
        res = engine.search(query, mode=mode, k=k, filters=filters)
    except SearchError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.param) from None
    if as_json:
        _echo_json(res)
        return
    if res["answer"]:
        print_answer(res["answer"])
    if not res["results"]:
        echo("no passages found; try fewer or other words, or another mode")
    elif not res["structured"] and mode != "semantic":
        echo(f"{res['total']} passages contain every term" if res["total"] else
                   f"no passage contains every term of {query!r}")
    for r in res["results"]:
        if not r["match"] and (r["rank"] == 1 or res["results"][r["rank"] - 2]["match"]):
            echo("related passages (not counted):")
        echo(f"{r['rank']:>2}. [{r['score']:.3f}] {r['agency']} {r['year']}  {' > '.join(r['section'])}")
        echo(f"    {r['text']}")
        echo(f"    {r['doc_id']} [{r['start']}:{r['end']}]")


@main.command(name="eval")
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mode", "modes", type=click.Choice(MODES), multiple=True, help="default: all three")
@click.option("--model")
@click.option("--json", "as_json", is_flag=True)
def eval_command(queries, modes, model, as_json):
    """R@5 and MRR@10 per mode on a JSON-lines query file."""
    engine = _open_engine(model)
    try:
        qs = load_queries(queries)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    report = evaluate(engine, qs, modes or MODES)
    if as_json:
        _echo_json(report)
        return
    for mode, r in report.items():
        echo(f"{mode:8} R@5={r['r5']:.3f} MRR@10={r['mrr10']:.3f} "
                   f"aggregate={r['aggregate']}/{r['aggregate_total']} p50={r['p50_ms']:.0f}ms")
        for m in r["misses"]:
            echo(f"  miss {m['id']} rank={m['rank']}: {m['query']}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on; 0.0.0.0 for the LAN (set KB_ALLOWED_HOSTS to the names clients use)")
@click.option("--port", default=5000, type=int, show_default=True, help="0: any free port (the one taken is printed)")
@click.option("--model")
@click.option("--threads", default=8, type=int, show_default=True, help="waitress threads per worker process")
@click.option("--workers", type=click.IntRange(min=1),
              help="server processes sharing the socket (default KB_WORKERS, the core count; 1: one process)")
def serve(host, port, model, threads, workers):
    """Serve the web app and JSON API (builds the index from data/reports first if there is none)."""
    from web import create_app
    from web.security import allowed_hosts
    from web.server import make_server, serving_settings
    from web.workers import WorkersFailed, serve_workers

    settings = load_settings(embed_model=model, workers=workers)
    if not (settings.index_dir / "CURRENT").exists():
        echo("no index yet: building it from " + str(settings.reports_dir), err=True)
        try:
            run_update(settings)
        except EmbedderError as exc:
            raise click.ClickException(str(exc)) from None

    def announce(addresses):
        hosts = allowed_hosts(settings.allowed_hosts, host)
        where = ", ".join(f"http://{f'[{a[0]}]' if ':' in a[0] else a[0]}:{a[1]}" for a in addresses)
        echo(f"serving on {where}, {settings.workers} process(es) (Host names answered: "
                   f"{', '.join(hosts) if hosts else 'any'}; KB_ALLOWED_HOSTS changes them)", err=True)

    if settings.workers > 1:
        try:
            serve_workers(settings, host, port, threads, lambda sockets: announce([s.getsockname() for s in sockets]))
        except WorkersFailed as exc:
            raise click.ClickException(str(exc)) from None
        return
    settings = serving_settings(settings)
    try:
        app = create_app({"KB_SETTINGS": settings, "KB_BIND_HOST": host})
    except (IndexMissing, EmbedderError) as exc:
        raise click.ClickException(str(exc)) from None
    server = make_server(app, settings, host=host, port=port, threads=threads)
    announce(getattr(server, "effective_listen", None) or [(server.effective_host, server.effective_port)])
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def print_answer(a: dict) -> None:
    """The answer from the figures: the question as understood, the figure(s), each row with its evidence."""
    echo(f"answer ({a['kind']}): {a['label']}")
    if a["value"] is not None:
        echo(f"  = {a['value']:g}{' (approx)' if a['approx'] else ''}")
    for t in a.get("totals_by_year") or []:
        echo(f"  {t['year'] or '?'}: = {t['value']:g}{' (approx)' if t['approx'] else ''}  ({t['agencies']} agencies)")
    for row in a["rows"]:
        value = "not stated" if row["value"] is None else f"{row['value']:g}{row['unit']}"
        marks = (" ~" if row["approx"] else "") + (" [area]" if row["scope"] == "area" else "")
        echo(f"  {row['agency']}  {row['year']}  {row['metric']}  {value}{marks}  「{row['text']}」")
    for note in a["notes"]:
        echo(f"  * {note}")
    echo(f"  facts page: {a['facts_url']}\n")


@main.command()
@click.option("--metric", multiple=True, help="metric id (repeatable); default: every metric stated")
@click.option("--agency")
@click.option("--level", type=click.Choice(LEVELS))
@click.option("--region")
@click.option("--year", type=int)
@click.option("--question", "-q", help="a question over the figures, as in search (哪些机关没有行政复议)")
@click.option("--json", "as_json", is_flag=True)
@click.option("--csv", "as_csv", is_flag=True, help="UTF-8 with BOM, one row per agency × year × metric")
def facts(metric, agency, level, region, year, question, as_json, as_csv):
    """The figure of every agency × year × metric (the one answers use), each with its evidence."""
    from kb.questions import parse_question
    from kb.questions.figures import figures_csv
    from kb.questions.table import facts_table, table_filters

    try:
        filters = table_filters(metric, Filters(agency=agency, level=level, region=region, year_from=year,
                                                year_to=year))
    except SearchError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.param}") from None
    parsed = parse_question(question) if question else None
    if question and parsed is None:
        raise click.BadParameter(f"not a question over the figures: {question!r}", param_hint="--question")
    table = facts_table(Store(load_settings().db_path),
                        filters, parsed)
    if as_json:
        _echo_json({"facts": [f.as_row() for f in table.evidence]})
    elif as_csv:
        echo(figures_csv(table.evidence), nl=False)
    else:
        for f in table.evidence:
            echo(f"{f.agency}  {f.year}  {f.metric}  {f.value:g}{f.unit}"
                       f"{' (approx)' if f.approx else ''}{' [area]' if f.scope == 'area' else ''}  「{f.text}」")
