"""Stage `review`: the local review page, the append-only review store, promotion to gold.

``newsclaims review`` serves the page on 127.0.0.1 (``make review``);
``newsclaims review --promote`` appends accepted and edited claims to
``annotations/gold/claims/<article_id>.jsonl``.  See docs/review.md.

Modules: :mod:`.reviews` (reviews.jsonl: claim_sha, safe appends, status),
:mod:`.edits` (validating and applying edits), :mod:`.data` (store + reviews),
:mod:`.app` (the Starlette app).  Starlette and uvicorn are imported only when
the page is served.
"""
from __future__ import annotations

import argparse
import getpass
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["add_parser", "utc_now"]

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765


def utc_now() -> datetime:
    """The wall clock for review timestamps; the CLI passes it to the app (tests pass their own)."""
    return datetime.now(timezone.utc)


def _default_annotator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "annotator"


def cmd_review(args: argparse.Namespace) -> int:
    from .data import ReviewData

    try:
        data = ReviewData(Path(args.store), Path(args.annotations))
    except FileNotFoundError as exc:
        log.error("%s", exc)
        return 2
    if data.log.problems:
        log.warning("%d unreadable line(s) in %s (kept, skipped)", len(data.log.problems), data.reviews_path)
    if args.promote:
        report = data.promote()
        print(f"promoted {report.written} claim(s) to gold ({report.already_in_gold} already there, "
              f"{report.stale_skipped} stale review(s) skipped; re-review them first)")
        for f in report.files:
            print(f"  {f}")
        return 0
    try:
        import uvicorn
    except ImportError:
        log.error("the review page needs uvicorn and starlette: pip install starlette uvicorn")
        return 2
    from .app import create_app

    app = create_app(data, clock=utc_now, annotator=args.annotator or _default_annotator())
    print(f"review page: http://127.0.0.1:{args.port}/  ({len(data.claims)} claims, "
          f"{data.log.n_lines} review lines in {data.reviews_path}); Ctrl-C stops it", file=sys.stderr)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


def add_parser(subparsers) -> None:
    """Add the ``review`` sub-command to the newsclaims CLI."""
    r = subparsers.add_parser(
        "review", formatter_class=argparse.RawDescriptionHelpFormatter, help="review claims in a local web page",
        description="Serve the review page on 127.0.0.1: filter claims, see them in the original article, "
                    "accept (a), reject (r) or edit (e) them. Decisions are appended to ANNOTATIONS/reviews.jsonl.",
        epilog="examples:\n  newsclaims review --store store --annotator alice\n"
               "  newsclaims review --promote    # accepted/edited claims -> annotations/gold/claims/")
    r.add_argument("--store", default="store", help="the claims store (default: store)")
    r.add_argument("--annotations", default="annotations", help="annotations folder (default: annotations)")
    r.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default: {DEFAULT_PORT})")
    r.add_argument("--annotator", help="name recorded with each decision (default: your login name)")
    r.add_argument("--promote", action="store_true",
                   help="append accepted and edited claims to the gold claim files and exit")
    r.set_defaults(func=cmd_review)
