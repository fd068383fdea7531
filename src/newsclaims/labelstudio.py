"""Label Studio interop: export the store as pre-annotated tasks, import the annotations back.

``newsclaims export --format label-studio`` writes one task per article::

    {"data": {"text": <original text>, "article_id", "title", "published",
              "claim_shas": {claim_id: claim_sha}},          # the claims as exported
     "predictions": [{"model_version": "newsclaims-<version>", "score", "result": [...]}]}

The ``result`` holds span regions on the ``text`` object (``from_name`` "label")
labelled ``Subject``, ``Value``, ``Time``, ``Source`` and ``Claim`` (the evidence
sentence), per-region choices on each Claim region (``metric``, ``hedge``,
``flags`` = negated) and relations ``subject`` (Subject -> Value), ``time``
(Value -> Time), ``source`` (Source -> Claim) and ``claim`` (Value -> Claim, which
ties a value to its claim).  Region ids are stable: ``clm-<claim_id>`` and
``val-<claim_id>`` per claim, ``subj-/time-/src-<start>-<end>`` shared by the
claims that use the span.  :func:`label_config` gives the matching labelling
interface (``--label-config FILE`` writes it).

``newsclaims import EXPORT.json`` reads a Label Studio JSON export (the full
"JSON" format: a list of tasks with ``annotations``) and, per task, takes the most
recently updated annotation that was not cancelled:

* a Claim region with the id of an exported claim gives a review of that claim in
  ``annotations/reviews.jsonl``: ``accept`` if nothing changed, ``edit`` with the
  differences (metric, hedge, negated and spans; values of a new value or time
  span come from the store's mention with that span) otherwise;
* an exported claim whose Claim region was deleted gets a ``reject`` review;
* any other Claim region is a new claim, appended to
  ``annotations/gold/claims/<article_id>.jsonl`` (unless the gold already has it).

Reviews name the annotator ``label-studio:<completed_by>`` and carry the
annotation's ``updated_at`` as ``ts``; their ``claim_sha`` is the one exported, so a
claim that changed since the export shows as stale in the review page.  Links are
read by the labels of the regions they join, whatever the drawn direction.
Offsets are Python ``str`` (code point) indices; an older Label Studio that
counted UTF-16 units is detected by checking each region's ``text`` and
converted.  Importing the same export twice writes nothing new.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable
from xml.sax.saxutils import quoteattr

from . import __version__

__all__ = ["export_tasks", "import_export", "label_config", "ImportReport", "add_parser"]

log = logging.getLogger(__name__)

LABELS = ("Subject", "Value", "Time", "Source", "Claim")
_COLOURS = {"Subject": "#2f6fdb", "Value": "#d9730d", "Time": "#1f8a3a", "Source": "#7a3fd1", "Claim": "#e8c500"}
RELATIONS = ("subject", "time", "source", "claim")


def label_config() -> str:
    """The Label Studio labelling interface that the exported tasks fit."""
    from .claims import METRICS
    from .review.edits import HEDGES

    def choices(name: str, values: Iterable[str], multiple: bool = False) -> str:
        inner = "".join(f"<Choice value={quoteattr(v)}/>" for v in values)
        kind = "multiple" if multiple else "single"
        return (f'    <Choices name="{name}" toName="text" perRegion="true" choice="{kind}" '
                f'showInline="true">{inner}</Choices>\n')

    labels = "".join(f'    <Label value="{v}" background="{_COLOURS[v]}"/>\n' for v in LABELS)
    rels = "".join(f'    <Relation value="{v}"/>\n' for v in RELATIONS)
    return ("<View>\n"
            f'  <Labels name="label" toName="text">\n{labels}  </Labels>\n'
            f"  <Relations>\n{rels}  </Relations>\n"
            '  <Text name="text" value="$text" granularity="symbol"/>\n'
            '  <View visibleWhen="region-selected" whenLabelValue="Claim">\n'
            + choices("metric", METRICS) + choices("hedge", HEDGES) + choices("flags", ["negated"], True)
            + "  </View>\n</View>\n")


# ------------------------------------------------------------------------ export
def _region(rid: str, s: int, e: int, text: str, label: str) -> dict[str, Any]:
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": s, "end": e, "text": text[s:e], "labels": [label]}}


def _per_region(rid: str, name: str, s: int, e: int, text: str, values: list[str]) -> dict[str, Any]:
    return {"id": rid, "from_name": name, "to_name": "text", "type": "choices",
            "value": {"start": s, "end": e, "text": text[s:e], "choices": values}}


def _relation(a: str, b: str, label: str) -> dict[str, Any]:
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "right", "labels": [label]}


def _task(article: Any, claims: list[dict[str, Any]], model_version: str) -> dict[str, Any]:
    from .review.edits import claim_spans
    from .review.reviews import claim_sha

    text = article.text
    result: list[dict[str, Any]] = []
    shared: set[str] = set()
    relations: list[dict[str, Any]] = []

    def shared_region(prefix: str, span: list[int], label: str) -> str:
        rid = f"{prefix}-{span[0]}-{span[1]}"
        if rid not in shared:
            shared.add(rid)
            result.append(_region(rid, span[0], span[1], text, label))
        return rid

    for c in claims:
        spans = claim_spans(c, article.mentions)
        if spans["value"] is None or spans["evidence"] is None:
            log.warning("claim %s: no value or evidence span; left out of the Label Studio task", c["claim_id"])
            continue
        cid, vid = f"clm-{c['claim_id']}", f"val-{c['claim_id']}"
        es, ee = spans["evidence"]
        result.append(_region(cid, es, ee, text, "Claim"))
        result.append(_per_region(cid, "metric", es, ee, text, [c["metric"]]))
        result.append(_per_region(cid, "hedge", es, ee, text, [c["hedge"]]))
        if c.get("negated"):
            result.append(_per_region(cid, "flags", es, ee, text, ["negated"]))
        result.append(_region(vid, *spans["value"], text, "Value"))
        relations.append(_relation(vid, cid, "claim"))
        if spans["subject"]:
            relations.append(_relation(shared_region("subj", spans["subject"], "Subject"), vid, "subject"))
        if spans["time"]:
            relations.append(_relation(vid, shared_region("time", spans["time"], "Time"), "time"))
        if spans["source"]:
            relations.append(_relation(shared_region("src", spans["source"], "Source"), cid, "source"))
    scores = [c.get("confidence") for c in claims if isinstance(c.get("confidence"), (int, float))]
    return {"data": {"text": text, "article_id": article.article_id, "title": article.title,
                     "published": article.published, "claim_shas": {c["claim_id"]: claim_sha(c) for c in claims}},
            "predictions": [{"model_version": model_version,
                             "score": round(sum(scores) / len(scores), 4) if scores else None,
                             "result": result + relations}]}


def export_tasks(store: Path, *, model_version: str | None = None) -> list[dict[str, Any]]:
    """One Label Studio task per article of the store (store order)."""
    from .review.data import ReviewData

    data = ReviewData(store, Path(store) / ".no-annotations")  # the store only; no reviews are read
    by_article: dict[str, list[dict[str, Any]]] = {}
    for c in data.claims:
        by_article.setdefault(c["article_id"], []).append(c)
    version = model_version or f"newsclaims-{__version__}"
    return [_task(art, by_article.get(aid, []), version) for aid, art in data.articles.items()]


# ------------------------------------------------------------------------ import
@dataclass
class ImportReport:
    tasks: int = 0
    annotated: int = 0
    accepted: int = 0
    edited: int = 0
    rejected: int = 0
    unchanged: int = 0          # same decision already in reviews.jsonl
    new_gold: int = 0
    gold_already: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.tasks} task(s), {self.annotated} annotated: {self.accepted} accepted, {self.edited} edited, "
                f"{self.rejected} rejected, {self.unchanged} already recorded, {self.new_gold} new gold claim(s) "
                f"({self.gold_already} already in gold), {len(self.problems)} problem(s)")


def _utf16_to_cp(text: str, i: int) -> int:
    """Code-point index of UTF-16 offset ``i`` of ``text``."""
    n = units = 0
    for ch in text:
        if units >= i:
            break
        units += 2 if ord(ch) > 0xFFFF else 1
        n += 1
    return n


def _span_of(value: dict[str, Any], text: str) -> tuple[int, int] | None:
    s, e = value.get("start"), value.get("end")
    if not isinstance(s, int) or not isinstance(e, int) or not 0 <= s < e:
        return None
    want = value.get("text")
    if e <= len(text) and (want is None or text[s:e] == want):
        return s, e
    cs, ce = _utf16_to_cp(text, s), _utf16_to_cp(text, e)  # an older Label Studio counted UTF-16 units
    if want is not None and text[cs:ce] == want:
        return cs, ce
    return None


def _ts(annotation: dict[str, Any], clock: Callable[[], datetime]) -> str:
    from .review.app import format_ts

    raw = annotation.get("updated_at") or annotation.get("created_at")
    if isinstance(raw, str):
        try:
            dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            return format_ts(dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc))
        except ValueError:
            pass
    return format_ts(clock())


def _annotator(annotation: dict[str, Any]) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("username") or who.get("id")
    return f"label-studio:{who if who not in (None, '') else 'unknown'}"


def _pick_annotation(task: dict[str, Any]) -> dict[str, Any] | None:
    live = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not live:
        return None
    return max(live, key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), a.get("id") or 0))


@dataclass
class _Parsed:
    regions: dict[str, tuple[str, int, int]]            # id -> (label, start, end)
    choices: dict[str, dict[str, list[str]]]            # id -> {from_name: values}
    links: list[tuple[str, str]]                         # unordered pairs of region ids


def _parse(result: list[dict[str, Any]], text: str, where: str, problems: list[str]) -> _Parsed:
    p = _Parsed({}, {}, [])
    for item in result:
        kind = item.get("type")
        if kind == "relation":
            p.links.append((item.get("from_id"), item.get("to_id")))
            continue
        rid, value = item.get("id"), item.get("value") or {}
        if kind == "labels":
            labels = [x for x in value.get("labels") or [] if x in LABELS]
            if not labels:
                continue
            span = _span_of(value, text)
            if span is None:
                problems.append(f"{where}: region {rid} {value.get('text')!r} does not match the text at "
                                f"{value.get('start')}-{value.get('end')}; skipped")
                continue
            p.regions[rid] = (labels[0], *span)
        elif kind == "choices":
            p.choices.setdefault(rid, {})[item.get("from_name")] = list(value.get("choices") or [])
    return p


def _linked(p: _Parsed, rid: str, label: str) -> list[str]:
    out = []
    for a, b in p.links:
        other = b if a == rid else a if b == rid else None
        if other in p.regions and p.regions[other][0] == label:
            out.append(other)
    return out


def _ls_claim(p: _Parsed, cid: str, where: str, problems: list[str]) -> dict[str, Any] | None:
    """Spans and choices of one Claim region: {metric, hedge, negated, subject/value/time/source/evidence spans}."""
    values = _linked(p, cid, "Value")
    if len(values) != 1:
        problems.append(f"{where}: claim region {cid} is linked to {len(values)} Value regions (need 1); skipped")
        return None
    vid = values[0]
    subjects, times, sources = _linked(p, vid, "Subject"), _linked(p, vid, "Time"), _linked(p, cid, "Source")
    ch = p.choices.get(cid, {})
    span = lambda rid: list(p.regions[rid][1:]) if rid else None  # noqa: E731
    return {"metric": (ch.get("metric") or [None])[0], "hedge": (ch.get("hedge") or [None])[0],
            "negated": "negated" in (ch.get("flags") or []),
            "subject": span(subjects[0] if subjects else None), "value": span(vid),
            "time": span(times[0] if times else None), "source": span(sources[0] if sources else None),
            "evidence": span(cid)}


def _raw_edits(claim: dict[str, Any], spans: dict[str, Any], ls: dict[str, Any]) -> dict[str, Any]:
    edits: dict[str, Any] = {}
    for key in ("metric", "hedge"):
        if ls[key] is not None and ls[key] != claim.get(key):
            edits[key] = ls[key]
    if ls["negated"] != bool(claim.get("negated")):
        edits["negated"] = ls["negated"]
    for part in ("subject", "value", "time", "source", "evidence"):
        if ls[part] is None:
            if part in ("time", "source") and claim.get(part) is not None:
                edits[part] = None
            continue
        if ls[part] != spans.get(part):
            edits[part] = {"start": ls[part][0], "end": ls[part][1]}
    return edits


def _new_gold_claim(aid: str, text: str, mentions: dict[str, dict[str, Any]], ls: dict[str, Any],
                    where: str, problems: list[str]) -> dict[str, Any] | None:
    from .claims import METRICS
    from .review.edits import HEDGES

    if ls["metric"] not in METRICS or ls["subject"] is None:
        problems.append(f"{where}: new claim at {ls['evidence']} needs a metric choice and a Subject; skipped")
        return None
    by_span = {(m["start"], m["end"], m["kind"]): m for m in mentions.values()}

    def mention(span, kinds):
        return next((by_span[(span[0], span[1], k)] for k in kinds if (span[0], span[1], k) in by_span), None)

    (ss, se), (vs, ve), (es, ee) = ls["subject"], ls["value"], ls["evidence"]
    ent = mention(ls["subject"], ("entity",)) or {}
    vm = mention(ls["value"], ("money", "quantity"))
    if vm is None:
        problems.append(f"{where}: new claim value {text[vs:ve]!r} is not a mention of the store: amount left null")
    vm = vm or {}
    time = None
    if ls["time"]:
        ts, te = ls["time"]
        tm = mention(ls["time"], ("date",)) or {}
        time = {"mention_id": tm.get("mention_id"), "text": text[ts:te], "interval_start": tm.get("interval_start"),
                "interval_end": tm.get("interval_end"), "grain": tm.get("grain"), "start": ts, "end": te}
    source = None
    if ls["source"]:
        os_, oe = ls["source"]
        sm = mention(ls["source"], ("entity",)) or {}
        source = {"text": text[os_:oe], "canonical": sm.get("canonical") or text[os_:oe], "start": os_, "end": oe}
    key = f"{aid}|label-studio|{vs}-{ve}|{ls['metric']}|{ss}-{se}"
    return {
        "schema": "newsclaims.claim/1",
        "claim_id": hashlib.sha1(key.encode("utf-8")).hexdigest()[:16],
        "article_id": aid,
        "subject": {"text": text[ss:se], "canonical": ent.get("canonical") or text[ss:se],
                    "entity_id": ent.get("entity_id"), "start": ss, "end": se},
        "metric": ls["metric"],
        "value": {"mention_id": vm.get("mention_id"), "text": text[vs:ve], "amount": vm.get("amount"),
                  "currency": vm.get("currency"), "qualifier": vm.get("qualifier") or "exact", "low": vm.get("low"),
                  "high": vm.get("high"), "rate": vm.get("rate"), "start": vs, "end": ve},
        "time": time,
        "source": source,
        "hedge": ls["hedge"] if ls["hedge"] in HEDGES else "asserted",
        "negated": ls["negated"],
        "evidence": {"text": text[es:ee], "start": es, "end": ee},
        "confidence": 1.0,
        "rule": "label-studio",
        "duplicate_of": None,
    }


def import_export(tasks: list[dict[str, Any]], store: Path, annotations: Path, *,
                  clock: Callable[[], datetime], dry_run: bool = False) -> ImportReport:
    """Turn a Label Studio JSON export into reviews and new gold claims (see the module doc)."""
    from .review.data import ReviewData, _gold_key, gold_claims_dir
    from .review.edits import EditError, NoChange, claim_spans, normalize_edits
    from .review.reviews import Review, append_lines, file_lock

    data = ReviewData(store, annotations)
    report = ImportReport()
    new_reviews: list[Review] = []
    new_gold: dict[str, list[dict[str, Any]]] = {}
    for n, task in enumerate(tasks, 1):
        report.tasks += 1
        tdata = task.get("data") or {}
        aid = tdata.get("article_id")
        where = f"task {task.get('id', n)} ({aid})"
        art = data.article(aid) if aid else None
        if art is None:
            report.problems.append(f"{where}: article not in the store; skipped")
            continue
        if tdata.get("text") is not None and tdata["text"] != art.text:
            report.problems.append(f"{where}: the task text differs from the store's article text; skipped")
            continue
        annotation = _pick_annotation(task)
        if annotation is None:
            continue
        report.annotated += 1
        who, ts = _annotator(annotation), _ts(annotation, clock)
        parsed = _parse(annotation.get("result") or [], art.text, where, report.problems)
        exported: dict[str, str] = tdata.get("claim_shas") or {}
        seen: set[str] = set()
        for rid, (label, _, _) in parsed.regions.items():
            if label != "Claim":
                continue
            claim_id = rid[4:] if rid.startswith("clm-") and rid[4:] in exported else None
            ls = _ls_claim(parsed, rid, where, report.problems)
            if ls is None:  # unreadable: no decision, and certainly not a rejection
                if claim_id:
                    seen.add(claim_id)
                continue
            found = data.claim(claim_id) if claim_id else None
            if found is None:
                if claim_id:  # exported claim that re-extraction removed: keep the annotation as gold
                    seen.add(claim_id)
                gold = _new_gold_claim(aid, art.text, art.mentions, ls, where, report.problems)
                if gold is not None:
                    new_gold.setdefault(aid, []).append(gold)
                continue
            seen.add(claim_id)
            claim, _ = found
            raw = _raw_edits(claim, claim_spans(claim, art.mentions), ls)
            try:
                edits = normalize_edits(claim, raw, art.text, art.mentions) if raw else {}
            except NoChange:
                edits = {}
            except EditError as exc:
                report.problems.append(f"{where}: claim {claim_id}: {exc}; no decision recorded")
                continue
            new_reviews.append(Review(claim_id=claim_id, decision="edit" if edits else "accept", edits=edits,
                                      annotator=who, ts=ts, claim_sha=exported[claim_id]))
        for claim_id, sha in exported.items():
            if claim_id not in seen:
                new_reviews.append(Review(claim_id=claim_id, decision="reject", edits={}, annotator=who, ts=ts,
                                          claim_sha=sha))
    # write: reviews that differ from the latest recorded one, gold claims not already there
    to_write = []
    for r in new_reviews:
        last = data.log.latest.get(r.claim_id)
        if last is not None and (last.decision, last.edits, last.claim_sha, last.annotator) == \
                (r.decision, r.edits, r.claim_sha, r.annotator):
            report.unchanged += 1
            continue
        to_write.append(r)
        counter = {"accept": "accepted", "edit": "edited", "reject": "rejected"}[r.decision]
        setattr(report, counter, getattr(report, counter) + 1)
    if not dry_run and to_write:
        append_lines(data.reviews_path, [r.to_dict() for r in to_write])
    if new_gold:
        with file_lock(annotations / ".gold.lock"):
            existing: set[tuple] = set()
            gold_root = annotations / "gold"
            for path in sorted(gold_root.rglob("*.jsonl")) if gold_root.is_dir() else []:
                for line in path.read_text("utf-8").splitlines():
                    rec = json.loads(line) if line.strip() else {}
                    if str(rec.get("schema", "")).startswith("newsclaims.claim/"):
                        existing.add((rec.get("article_id") or path.stem, _gold_key(rec)))
                        existing.add((rec.get("article_id") or path.stem, rec.get("claim_id")))
            for aid, recs in sorted(new_gold.items()):
                fresh = []
                for g in recs:
                    if (aid, g["claim_id"]) in existing or (aid, _gold_key(g)) in existing:
                        report.gold_already += 1
                        continue
                    existing.add((aid, g["claim_id"]))
                    existing.add((aid, _gold_key(g)))
                    fresh.append(g)
                report.new_gold += len(fresh)
                if fresh and not dry_run:
                    append_lines(gold_claims_dir(annotations) / f"{aid}.jsonl", fresh)
    return report


# ------------------------------------------------------------------------ CLI
def cmd_export(args: argparse.Namespace) -> int:
    if args.label_config:
        Path(args.label_config).write_text(label_config(), "utf-8")
    try:
        tasks = export_tasks(Path(args.store))
    except FileNotFoundError as exc:
        log.error("%s", exc)
        return 2
    text = json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, "utf-8")
    n = sum(len(t["data"]["claim_shas"]) for t in tasks)
    print(f"exported {len(tasks)} task(s) with {n} claim(s) for Label Studio"
          + (f" to {args.out}" if args.out != "-" else ""), file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .review import utc_now

    try:
        if args.export == "-":
            tasks = json.load(sys.stdin)
        else:
            with Path(args.export).open(encoding="utf-8") as src:
                tasks = json.load(src)
    except (OSError, ValueError) as exc:
        log.error("cannot read the Label Studio export %s: %s", args.export, exc)
        return 2
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        log.error("%s is not a Label Studio JSON export (a list of tasks)", args.export)
        return 2
    try:
        report = import_export(tasks, Path(args.store), Path(args.annotations), clock=utc_now, dry_run=args.dry_run)
    except FileNotFoundError as exc:
        log.error("%s", exc)
        return 2
    for p in report.problems:
        print(f"problem: {p}", file=sys.stderr)
    print(("dry run: " if args.dry_run else "") + report.summary())
    return 1 if report.problems else 0


def add_parser(subparsers) -> None:
    """Add ``export`` (--format label-studio) and ``import`` to the newsclaims CLI."""
    fmt = argparse.RawDescriptionHelpFormatter
    e = subparsers.add_parser(
        "export", formatter_class=fmt, help="store -> Label Studio tasks with predictions",
        description="Write one Label Studio task per article, with the claims as predictions "
                    "(span labels Subject/Value/Time/Source/Claim and their relations).",
        epilog="example:\n  newsclaims export --format label-studio --store store --out tasks.json "
               "--label-config label-config.xml")
    e.add_argument("--format", choices=["label-studio"], default="label-studio", help="output format")
    e.add_argument("--store", default="store", help="the claims store (default: store)")
    e.add_argument("--out", default="-", help="output file (default: - = stdout)")
    e.add_argument("--label-config", help="also write the Label Studio labelling interface (XML) here")
    e.set_defaults(func=cmd_export)

    i = subparsers.add_parser(
        "import", formatter_class=fmt, help="Label Studio JSON export -> reviews and gold claims",
        description="Read a Label Studio JSON export: decisions on exported claims go to "
                    "ANNOTATIONS/reviews.jsonl, new claims to ANNOTATIONS/gold/claims/.",
        epilog="example:\n  newsclaims import project-1-export.json --store store --annotations annotations\n"
               "exit status: 0 imported, 1 imported with problems (listed), 2 unreadable input or no store")
    i.add_argument("export", help="the Label Studio export (JSON format), or - for stdin")
    i.add_argument("--store", default="store", help="the claims store the tasks came from (default: store)")
    i.add_argument("--annotations", default="annotations", help="annotations folder (default: annotations)")
    i.add_argument("--dry-run", action="store_true", help="report what would be written, write nothing")
    i.set_defaults(func=cmd_import)
