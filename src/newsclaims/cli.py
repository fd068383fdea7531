"""Command-line interface: a thin layer over the library (``newsclaims --help``)."""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
import time
from pathlib import Path

from . import __version__

log = logging.getLogger("newsclaims")

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
#: stage modules that add their own sub-commands (``add_parser(subparsers)``)
_COMMAND_MODULES = ("newsclaims.ledger", "newsclaims.review", "newsclaims.labelstudio")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def _progress_printer(enabled: bool):
    """tqdm bar on a terminal, a log line every 10% otherwise."""
    state = {"bar": None, "done": 0, "total": None, "next": 1, "t0": time.monotonic()}
    tty = enabled and sys.stderr.isatty()

    def progress(step: int, total: int | None) -> None:
        if state["total"] is None:
            state["total"] = total
            if tty and total:
                from tqdm import tqdm

                state["bar"] = tqdm(total=total, unit="article", file=sys.stderr, dynamic_ncols=True)
        state["done"] += step
        if state["bar"] is not None:
            state["bar"].update(step)
            if state["done"] >= (total or 0):
                state["bar"].close()
        elif enabled and total and state["done"] >= state["next"] and state["done"]:
            elapsed = time.monotonic() - state["t0"]
            rate = state["done"] / elapsed if elapsed > 0 else 0.0
            eta = (total - state["done"]) / rate if rate else 0.0
            log.info("processed %d/%d inputs (%.1f/s, ETA %dm%02ds)", state["done"], total, rate,
                     eta // 60, eta % 60)
            state["next"] = state["done"] + max(1, total // 10)

    return progress


def cmd_extract(args: argparse.Namespace) -> int:
    from .pipeline import Config
    from .runner import extract_corpus

    kinds = tuple(args.kinds.split(",")) if args.kinds else Config().kinds
    config = Config(kinds=kinds, opencc=args.opencc)
    try:
        report = extract_corpus(Path(args.corpus), Path(args.store), config, jobs=args.jobs,
                                manifest_path=Path(args.manifest) if args.manifest else None, force=args.force,
                                progress=_progress_printer(not args.quiet), engine=args.engine,
                                scheduler=args.scheduler)
    except FileNotFoundError as exc:
        print(f"newsclaims extract: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as exc:
        print(f"newsclaims extract: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    counts = report.manifest.get("counts", {})
    print(f"store {args.store}: {counts.get('articles', 0)} articles ({report.processed} processed, "
          f"{report.reused} unchanged), {counts.get('claims', 0)} claims, {report.failed} failed "
          f"in {report.seconds:.1f}s", file=sys.stderr)
    if report.failed:
        print(f"see {Path(args.store) / 'errors.jsonl'} for the {report.failed} input(s) that failed", file=sys.stderr)
    return EXIT_SOME_FAILED if report.failed else EXIT_OK


def cmd_analyze(args: argparse.Namespace) -> int:
    from .pipeline import analyze

    kinds = tuple(args.kinds.split(",")) if args.kinds else None
    out = sys.stdout
    failed = 0
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        rid = None
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("the line is not a JSON object")
            rid = rec.get("id")
            text = rec.get("text")
            if not isinstance(text, str):
                raise ValueError("field 'text' is missing or not a string")
            res = analyze(text, published=rec.get("published"), lang=rec.get("lang"), kinds=kinds,
                          article_id=str(rid) if rid is not None else f"line{n}", latent=args.latent)
            res = {"id": rid, **res}
        except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
            failed += 1
            res = {"id": rid, "error": f"line {n}: {exc}"}
        out.write(json.dumps(res, ensure_ascii=False) + "\n")
        out.flush()
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_conformance(args: argparse.Namespace) -> int:
    from .conformance import run_conformance

    folder = Path(args.suites)
    if not folder.is_dir():
        print(f"conformance: suites folder {folder} not found; skipping", file=sys.stderr)
        return EXIT_OK
    report = run_conformance(folder, suites=args.suite or None, failures_path=Path(args.failures) if args.failures else None)
    print(report.table())
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", "utf-8")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, load_gold, load_store

    store, gold = Path(args.store), Path(args.gold)
    if not (store / "articles.jsonl").exists():
        print(f"newsclaims eval: error: no store at {store}; run `newsclaims extract` (make extract) first", file=sys.stderr)
        return EXIT_USAGE
    if not gold.is_dir():
        print(f"newsclaims eval: error: no gold folder at {gold}", file=sys.stderr)
        return EXIT_USAGE
    articles, store_claims = load_store(store)
    gold_mentions, gold_claims = load_gold(gold)
    report = evaluate(articles, gold_mentions, store_claims, gold_claims)
    print(report.table())
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", "utf-8")
    return EXIT_OK


def cmd_check_annotations(args: argparse.Namespace) -> int:
    from .evaluate import check_gold
    from .ingest import iter_corpus

    texts = {a.article_id: a.text for a in iter_corpus(Path(args.corpus)) if not isinstance(a, tuple)}
    problems = check_gold(Path(args.gold), texts)
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s) in {args.gold}", file=sys.stderr)
    return EXIT_SOME_FAILED if problems else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsclaims", formatter_class=_Formatter,
                                description="Checkable, structured claims from Chinese and English news.",
                                epilog="example:\n  newsclaims extract --corpus corpus --store store")
    p.add_argument("--version", action="version", version=f"newsclaims {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("extract", formatter_class=_Formatter, help="corpus folder -> JSONL claims store",
                       description="Process every article of a corpus folder into the JSONL store.",
                       epilog="example:\n  newsclaims extract --corpus corpus --store store --jobs 4\n"
                              "exit status: 0 all inputs processed, 1 some inputs failed (see store/errors.jsonl), 2 usage")
    e.add_argument("--corpus", default="corpus", help="folder of .txt/.md/.html/.jsonl articles (default: corpus)")
    e.add_argument("--store", default="store", help="output folder (default: store)")
    e.add_argument("--manifest", help="corpus manifest JSONL (default: CORPUS/manifest.jsonl)")
    e.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    e.add_argument("--kinds", help="comma-separated extractors (default: money,quantity,date,entity)")
    e.add_argument("--opencc", default="auto", help="OpenCC config (default: auto = t2s; e.g. tw2sp)")
    e.add_argument("--force", action="store_true", help="reprocess every article even if unchanged")
    e.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local worker processes (default) or a Dask cluster (pip install 'newsclaims[dask]')")
    e.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)")
    e.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    e.set_defaults(func=cmd_extract)

    a = sub.add_parser("analyze", formatter_class=_Formatter, help="stdin JSONL -> stdout JSONL (stable entry point)",
                       description="Read {\"id\", \"text\", \"published\", \"lang\"} lines on stdin, write one "
                                   "articles.jsonl-shaped line with a 'claims' array per input, in input order.",
                       epilog="example:\n  echo '{\"id\": 1, \"text\": \"OpenAI去年亏损约5.4亿美元\", \"published\": \"2023-05-06\"}' "
                              "| newsclaims analyze")
    a.add_argument("--kinds", help="comma-separated extractors (default: money,quantity,date,entity; add number for bare numerals)")
    a.add_argument("--latent", action="store_true",
                   help="also report currency names and share words standing alone (amount null)")
    a.set_defaults(func=cmd_analyze)

    c = sub.add_parser("conformance", formatter_class=_Formatter, help="pass rates on third-party suites",
                       description="Run the recognizers-text suites through analyze and print pass rates.",
                       epilog="example:\n  newsclaims conformance --suites ../shared/peers/recognizers-text --json reports/conformance.json")
    c.add_argument("--suites", default=str(Path("..") / "shared" / "peers" / "recognizers-text"))
    c.add_argument("--suite", action="append", help="only this suite (e.g. zh_money); repeatable")
    c.add_argument("--json", help="write the report as JSON here")
    c.add_argument("--failures", help="write failing cases as JSONL here")
    c.set_defaults(func=cmd_conformance)
    v = sub.add_parser("eval", formatter_class=_Formatter, help="store vs gold: P/R/F1 table",
                       description="Score the store against annotations/gold (strict and overlap spans).",
                       epilog="example:\n  newsclaims eval --store store --gold annotations/gold --json reports/eval.json")
    v.add_argument("--store", default="store")
    v.add_argument("--gold", default=str(Path("annotations") / "gold"))
    v.add_argument("--json", help="write the report as JSON here")
    v.set_defaults(func=cmd_eval)

    k = sub.add_parser("check-annotations", formatter_class=_Formatter, help="validate gold shapes and offsets",
                       epilog="example:\n  newsclaims check-annotations --gold annotations/gold --corpus corpus")
    k.add_argument("--gold", default=str(Path("annotations") / "gold"))
    k.add_argument("--corpus", default="corpus")
    k.set_defaults(func=cmd_check_annotations)

    # commands that live with their stage: each module has add_parser(subparsers)
    for module in _COMMAND_MODULES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        if hasattr(mod, "add_parser"):
            mod.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
