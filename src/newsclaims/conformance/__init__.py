"""Conformance against third-party suites (``../shared/peers/recognizers-text``).

Every case's input goes through :func:`newsclaims.analyze` (the same entry point
scripts use); the scorer of the suite's kind (``newsclaims.conformance.<kind>``,
function ``score(case, mentions) -> (passed, why)``) compares our mentions with
the expected entities.  The report gives the pass rate over all cases and over
the cases the peer's own Python port claims to support, and counts offset-
invariant violations over every mention of every case.
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["run_conformance", "ConformanceReport", "SUITE_KINDS"]

#: suite kind -> our mention kinds to request
SUITE_KINDS = {"money": ("money",), "percent": ("quantity",), "number": ("number",), "datetime": ("date",)}


@dataclass
class SuiteResult:
    suite: str
    cases: int = 0
    passed: int = 0
    py_cases: int = 0
    py_passed: int = 0
    offset_violations: int = 0
    mentions: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0

    @property
    def py_rate(self) -> float:
        return self.py_passed / self.py_cases if self.py_cases else 0.0


@dataclass
class ConformanceReport:
    suites: list[SuiteResult]

    def table(self) -> str:
        head = f"{'suite':<14}{'cases':>7}{'passed':>8}{'rate':>8}{'py-supported':>14}{'rate':>8}{'offset errs':>13}"
        rows = [head, "-" * len(head)]
        for s in self.suites:
            rows.append(f"{s.suite:<14}{s.cases:>7}{s.passed:>8}{s.rate:>8.3f}{s.py_cases:>14}{s.py_rate:>8.3f}"
                        f"{s.offset_violations:>13}")
        return "\n".join(rows)

    def to_dict(self) -> dict[str, Any]:
        return {"suites": [{"suite": s.suite, "cases": s.cases, "passed": s.passed, "rate": round(s.rate, 4),
                            "python_supported_cases": s.py_cases, "python_supported_passed": s.py_passed,
                            "python_supported_rate": round(s.py_rate, 4), "mentions": s.mentions,
                            "offset_violations": s.offset_violations} for s in self.suites]}


def load_cases(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_suite(path: Path) -> SuiteResult:
    from ..pipeline import analyze

    cases = load_cases(path)
    result = SuiteResult(path.stem)
    if not cases:
        return result
    kind = cases[0]["kind"]
    scorer = importlib.import_module(f"{__name__}.{kind}")
    kinds = SUITE_KINDS[kind]
    for case in cases:
        out = analyze(case["input"], published=case.get("reference_datetime"), lang=case.get("lang"), kinds=kinds,
                      latent=True)
        mentions = out["mentions"]
        for m in mentions:
            result.mentions += 1
            if case["input"][m["start"]:m["end"]] != m["text"]:
                result.offset_violations += 1
        passed, why = scorer.score(case, mentions)
        supported = "python" not in case.get("not_supported", [])
        result.cases += 1
        result.passed += passed
        result.py_cases += supported
        result.py_passed += passed and supported
        if not passed:
            result.failures.append({"suite": path.stem, "case_index": case.get("case_index"), "input": case["input"],
                                    "why": why, "expected": case["expected"],
                                    "got": [{k: v for k, v in m.items() if k not in ("mention_id", "duplicate_of")}
                                            for m in mentions]})
    return result


def run_conformance(folder: Path, suites: list[str] | None = None, failures_path: Path | None = None) -> ConformanceReport:
    results = []
    for path in sorted(folder.glob("*.jsonl")):
        if suites and path.stem not in suites:
            continue
        kind = path.stem.split("_", 1)[-1]
        try:
            importlib.import_module(f"{__name__}.{kind}")
        except ModuleNotFoundError:
            continue  # no scorer for this kind in this build
        results.append(run_suite(path))
    if failures_path:
        failures_path.parent.mkdir(parents=True, exist_ok=True)
        with failures_path.open("w", encoding="utf-8") as fh:
            for r in results:
                for f in r.failures:
                    fh.write(json.dumps(f, ensure_ascii=False) + "\n")
    return ConformanceReport(results)
