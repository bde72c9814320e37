#!/usr/bin/env python3
"""Turns the hand annotations (*.ann) into gold fixtures (../<stem>.json).

The .ann files are the source of truth: each figure is written as the text right before it,
the figure as written, its value, unit, flags and indicator; each section as its level, part
and the start of its heading. This script only finds them, in order, in the seed text and
computes character offsets (Python str indices = Unicode scalar values), so the annotation
stays readable and reviewable. Run: python3 resolve.py (from this directory).
"""
import json, pathlib, sys

HERE = pathlib.Path(__file__).resolve().parent
SEEDS = HERE.parent.parent / "seeds"
HALF = str.maketrans("，：；（）％", ",:;()%")
STOPS = "。！？；;!?"


def find(text, needle, cursor, what):
    for n in (needle, needle.translate(HALF)):
        i = text.find(n, cursor)
        if i >= 0:
            return i, n
    sys.exit(f"{what}: {needle!r} not found after offset {cursor}")


def main():
    for ann in sorted(HERE.glob("*.ann")):
        text = (SEEDS / (ann.stem + ".txt")).read_text(encoding="utf-8")
        meta, sections, figures = {}, [], []
        fcur = scur = 0
        for raw in ann.read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            tag, rest = raw[0], raw[2:]
            if tag == "M":
                k, v = rest.split("=", 1)
                meta[k] = v
            elif tag == "S":
                head, anchor = [x.strip() for x in rest.split("|", 1)]
                level, part = head.split()
                i, _ = find(text, anchor, scur, ann.name)
                line_end = text.find("\n", i)
                line_end = len(text) if line_end < 0 else line_end
                h_end = min([line_end] + [p for p in (text.find(c, i) for c in STOPS) if 0 <= p < line_end])
                heading = text[i:h_end].rstrip()[:80]
                sections.append({"level": int(level), "heading": heading, "part": part, "start": i})
                scur = i + 1
            elif tag == "F":
                left, span, value, unit, flags, ind = [x.strip() for x in rest.split("|")]
                # The left context may overlap the previous figure ("4期60栏"); the span may not.
                cur = max(0, fcur - len(left))
                while True:
                    i, l = find(text, left + span, cur, ann.name)
                    start = i + len(l) - len(span)
                    if start >= fcur:
                        break
                    cur = i + 1
                span_t = text[start:start + len(span)]
                if span_t.translate(HALF) != span.translate(HALF):
                    sys.exit(f"{ann.name}: span mismatch {span!r} vs {span_t!r}")
                v = float(value)
                figures.append({
                    "text": span_t,
                    "value": int(v) if v.is_integer() else v,
                    "unit": unit,
                    "approx": "a" in flags,
                    "change": "c" in flags,
                    "metric": left.translate(HALF).strip(",:;、()"),
                    "indicator": None if ind == "-" else ind,
                    "start": start,
                    "end": start + len(span_t),
                })
                fcur = start + len(span_t)
        body_end = text.rfind(meta.pop("body_end")) if "body_end" in meta else len(text)
        body_end = text.find("\n", body_end) if text.find("\n", body_end) >= 0 else len(text)
        body_end = len(text[:body_end].rstrip())
        for k, s in enumerate(sections):
            nxt = [t["start"] for t in sections[k + 1:] if t["level"] <= s["level"]]
            s["end"] = nxt[0] if nxt else body_end
        out = {
            "title": meta.get("title"),
            "unit": meta.get("unit"),
            "level": meta.get("level"),
            "year": int(meta["year"]) if "year" in meta else None,
            "region": meta.get("region"),
            "sections": sections,
            "figures": figures,
        }
        (HERE.parent / (ann.stem + ".json")).write_text(
            json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{ann.stem}: {len(sections)} sections, {len(figures)} figures")


main()
