"""Stage `evaluate`: store vs hand gold -> P/R/F1 per kind, label and metric.

Gold lives in ``annotations/gold/<article_id>.jsonl`` (and sub-folders such as
``annotations/gold/entities/``): one MENTION per line (``kind`` set) or one claim
per line (``schema`` = ``newsclaims.claim/1``), original-text offsets.

Two matching variants, both one-to-one (greedy, by position):

* ``strict``: same ``start``/``end``;
* ``overlap``: the spans overlap.

and a mention counts as a hit only when its *values* are right too:

* money: ``amount``, ``low``, ``high`` (relative 1e-9) and ``currency``;
* quantity: ``amount``/``low``/``high`` and ``unit``;
* date: ``interval_start`` and ``interval_end``;
* entity: ``canonical`` (and ``label`` is reported per row).

Claims match on (subject canonical, metric, value mention span overlap); hedge
and time accuracy are reported on the matched claims.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

__all__ = ["load_gold", "load_store", "evaluate", "EvalReport"]

KINDS = ("money", "quantity", "date", "entity")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_gold(root: Path) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """(mentions by article, claims by article) from every *.jsonl under ``root``."""
    mentions: dict[str, list[dict]] = defaultdict(list)
    claims: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(root.rglob("*.jsonl")):
        for rec in _read_jsonl(path):
            aid = rec.get("article_id") or path.stem
            if rec.get("schema", "").startswith("newsclaims.claim/"):
                claims[aid].append(rec)
            elif "kind" in rec:
                mentions[aid].append(rec)
    return dict(mentions), dict(claims)


def load_store(store: Path) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    articles = {a["article_id"]: a for a in _read_jsonl(store / "articles.jsonl")}
    claims: dict[str, list[dict]] = defaultdict(list)
    if (store / "claims.jsonl").exists():
        for c in _read_jsonl(store / "claims.jsonl"):
            claims[c["article_id"]].append(c)
    return articles, dict(claims)


def _num_eq(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


def values_match(kind: str, got: dict, gold: dict) -> bool:
    if kind == "money":
        return all(_num_eq(got.get(k), gold.get(k)) for k in ("amount", "low", "high")) and \
            got.get("currency") == gold.get("currency")
    if kind == "quantity":
        return all(_num_eq(got.get(k), gold.get(k)) for k in ("amount", "low", "high")) and \
            got.get("unit") == gold.get("unit")
    if kind == "date":
        return got.get("interval_start") == gold.get("interval_start") and \
            got.get("interval_end") == gold.get("interval_end")
    if kind == "entity":
        return got.get("canonical") == gold.get("canonical")
    return True


def _overlap(a, b) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _match(got: list[dict], gold: list[dict], kind: str, mode: str):
    """Greedy one-to-one matching; returns (pairs, unmatched_got, unmatched_gold)."""
    same = (lambda a, b: a["start"] == b["start"] and a["end"] == b["end"]) if mode == "strict" else _overlap
    used: set[int] = set()
    pairs = []
    for g in sorted(gold, key=lambda m: m["start"]):
        best = None
        for i, p in enumerate(got):
            if i in used or not same(p, g):
                continue
            if values_match(kind, p, g):
                best = i
                break
            if best is None:
                best = -1 - i  # span match with wrong values, kept only if nothing better
        if best is not None and best >= 0:
            used.add(best)
            pairs.append((got[best], g, True))
        elif best is not None:
            i = -1 - best
            used.add(i)
            pairs.append((got[i], g, False))
    unmatched_got = [p for i, p in enumerate(got) if i not in used]
    matched_gold = {id(g) for _, g, _ in pairs}
    unmatched_gold = [g for g in gold if id(g) not in matched_gold]
    return pairs, unmatched_got, unmatched_gold


@dataclass
class EvalReport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)
    claims: dict[str, Any] = field(default_factory=dict)

    def frame(self):
        import pandas as pd

        return pd.DataFrame(self.rows, columns=["mode", "kind", "group", "tp", "fp", "fn", "precision", "recall", "f1"])

    def table(self) -> str:
        df = self.frame()
        if df.empty:
            return "(no gold annotations matched any article of the store)"
        out = [df.to_string(index=False, float_format=lambda v: f"{v:.3f}")]
        if self.claims:
            out.append("")
            out.append("claims: " + json.dumps({k: v for k, v in self.claims.items() if k != "per_metric"}))
            if self.claims.get("per_metric"):
                import pandas as pd

                out.append(pd.DataFrame(self.claims["per_metric"]).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if self.misses:
            out.append("")
            out.append("worst misses (first 25):")
            for m in self.misses[:25]:
                out.append(f"  {m['type']:<13} {m['kind']:<9} {m['article_id'][:3]} {m['start']:>6} {m['text']!r} {m.get('detail', '')}")
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "claims": self.claims, "misses": self.misses}


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _group_key(kind: str, m: dict) -> str:
    if kind == "entity":
        return m.get("label") or "?"
    if kind == "quantity":
        return "percent" if m.get("unit") == "percent" else "count/other"
    return "all"


def evaluate(articles: dict[str, dict], gold_mentions: dict[str, list[dict]],
             store_claims: dict[str, list[dict]] | None = None,
             gold_claims: dict[str, list[dict]] | None = None,
             kinds: Iterable[str] = KINDS) -> EvalReport:
    report = EvalReport()
    ids = sorted(set(articles) & set(gold_mentions))
    for mode in ("strict", "overlap"):
        for kind in kinds:
            counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
            gold_kind_seen = False
            for aid in ids:
                gold = [m for m in gold_mentions[aid] if m["kind"] == kind]
                if not gold:
                    continue
                gold_kind_seen = True
                got = [m for m in articles[aid]["mentions"] if m["kind"] == kind]
                pairs, fps, fns = _match(got, gold, kind, mode)
                for p, g, ok in pairs:
                    key = _group_key(kind, g)
                    if ok:
                        counts[key][0] += 1
                    else:
                        counts[key][1] += 1
                        counts[key][2] += 1
                        if mode == "overlap":
                            report.misses.append({"type": "wrong value", "kind": kind, "article_id": aid,
                                                  "start": g["start"], "text": g["text"],
                                                  "detail": _diff(kind, p, g)})
                for p in fps:
                    counts[_group_key(kind, p)][1] += 1
                    if mode == "overlap":
                        report.misses.append({"type": "false positive", "kind": kind, "article_id": aid,
                                              "start": p["start"], "text": p["text"]})
                for g in fns:
                    counts[_group_key(kind, g)][2] += 1
                    if mode == "overlap":
                        report.misses.append({"type": "missed", "kind": kind, "article_id": aid,
                                              "start": g["start"], "text": g["text"]})
            if not gold_kind_seen:
                continue
            total = [sum(c[i] for c in counts.values()) for i in range(3)]
            groups = [("all", total)] + (sorted(counts.items()) if len(counts) > 1 or "all" not in counts else [])
            for group, (tp, fp, fn) in groups:
                p, r, f = _prf(tp, fp, fn)
                report.rows.append({"mode": mode, "kind": kind, "group": group, "tp": tp, "fp": fp, "fn": fn,
                                    "precision": p, "recall": r, "f1": f})
    order = {"missed": 0, "wrong value": 1, "false positive": 2}
    report.misses.sort(key=lambda m: (order[m["type"]], m["kind"], m["article_id"], m["start"]))
    if gold_claims:
        report.claims = _eval_claims(articles, store_claims or {}, gold_claims)
    return report


def _diff(kind: str, got: dict, gold: dict) -> str:
    keys = {"money": ("amount", "low", "high", "currency"), "quantity": ("amount", "low", "high", "unit"),
            "date": ("interval_start", "interval_end"), "entity": ("canonical",)}.get(kind, ())
    return "; ".join(f"{k}: got {got.get(k)!r} want {gold.get(k)!r}" for k in keys if got.get(k) != gold.get(k)
                     and not (isinstance(gold.get(k), (int, float)) and _num_eq(got.get(k), gold.get(k))))


def _claim_key_match(c: dict, g: dict, articles: dict) -> bool:
    if c["metric"] != g["metric"]:
        return False
    if (c["subject"] or {}).get("canonical") != (g["subject"] or {}).get("canonical"):
        return False
    cv, gv = c["value"], g["value"]
    return _num_eq(cv.get("amount"), gv.get("amount")) and _num_eq(cv.get("low"), gv.get("low")) \
        and _num_eq(cv.get("high"), gv.get("high"))


def _eval_claims(articles, store_claims, gold_claims) -> dict[str, Any]:
    tp = fp = fn = 0
    hedge_ok = time_ok = matched = 0
    per_metric: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for aid in sorted(set(articles) & set(gold_claims)):
        got = list(store_claims.get(aid, []))
        for g in gold_claims[aid]:
            hit = next((c for c in got if _claim_key_match(c, g, articles)), None)
            if hit is None:
                fn += 1
                per_metric[g["metric"]][2] += 1
                continue
            got.remove(hit)
            tp += 1
            matched += 1
            per_metric[g["metric"]][0] += 1
            hedge_ok += hit["hedge"] == g["hedge"]
            gt, ht = g.get("time") or {}, hit.get("time") or {}
            time_ok += (gt.get("interval_start"), gt.get("interval_end")) == (ht.get("interval_start"), ht.get("interval_end"))
        for c in got:
            fp += 1
            per_metric[c["metric"]][1] += 1
    p, r, f = _prf(tp, fp, fn)
    rows = []
    for metric, (a, b, c) in sorted(per_metric.items()):
        pp, rr, ff = _prf(a, b, c)
        rows.append({"metric": metric, "tp": a, "fp": b, "fn": c, "precision": pp, "recall": rr, "f1": ff})
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "hedge_accuracy": round(hedge_ok / matched, 4) if matched else None,
            "time_accuracy": round(time_ok / matched, 4) if matched else None, "per_metric": rows}


MENTION_FIELDS = {
    "money": ("amount", "low", "high", "currency", "currency_implied", "qualifier", "rate"),
    "quantity": ("amount", "low", "high", "unit", "qualifier"),
    "date": ("value", "interval_start", "interval_end", "grain", "relative"),
    "entity": ("label", "canonical", "entity_id"),
}
COMMON_FIELDS = ("mention_id", "kind", "text", "start", "end", "normalized", "duplicate_of", "rule")


def check_gold(root: Path, texts: dict[str, str]) -> list[str]:
    """Problems in the gold files: shapes, offsets against ``texts`` (article_id -> original text)."""
    problems = []
    for path in sorted(root.rglob("*.jsonl")):
        ids: set[str] = set()
        recs = []
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not JSON ({exc.msg})")
                continue
            recs.append((where, rec))
            aid = rec.get("article_id") or path.stem
            if aid not in texts:
                problems.append(f"{where}: article {aid!r} is not in the corpus")
                continue
            if rec.get("schema", "").startswith("newsclaims.claim/"):
                for part in ("subject", "source", "evidence"):
                    span = rec.get(part)
                    if span and span.get("end") and texts[aid][span["start"]:span["end"]] != span["text"]:
                        problems.append(f"{where}: claim {part} text {span['text']!r} != original[{span['start']}:{span['end']}]")
                continue
            kind = rec.get("kind")
            if kind not in MENTION_FIELDS:
                problems.append(f"{where}: unknown kind {kind!r}")
                continue
            missing = [k for k in COMMON_FIELDS + MENTION_FIELDS[kind] if k not in rec]
            if missing:
                problems.append(f"{where}: missing fields {missing}")
                continue
            if texts[aid][rec["start"]:rec["end"]] != rec["text"]:
                problems.append(f"{where}: text {rec['text']!r} != original[{rec['start']}:{rec['end']}] "
                                f"{texts[aid][rec['start']:rec['end']]!r}")
            if rec["mention_id"] in ids:
                problems.append(f"{where}: duplicate mention_id {rec['mention_id']}")
            ids.add(rec["mention_id"])
        for where, rec in recs:
            if rec.get("duplicate_of") and rec["duplicate_of"] not in ids:
                problems.append(f"{where}: duplicate_of {rec['duplicate_of']} is not a mention of this file")
    return problems
