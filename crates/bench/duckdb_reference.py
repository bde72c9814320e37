"""DuckDB reference for `fazhi-bench indicators` (issue 3).

Usage: python3 duckdb_reference.py FACTS.csv SCANS.json

Loads the exported `case_facts` rows into an in-memory DuckDB table (untimed), prints one JSON
line {"version", "rows", "load_ms"}, then answers each line `run` on stdin with one JSON line
{"ms", "values"}: the wall time of executing every scan statement once, in order, and each
statement's single result row. `quit` ends it. Requires the PyPI package `duckdb`.
"""

import json
import sys
import time

import duckdb


def main() -> int:
    csv_path, scans_path = sys.argv[1], sys.argv[2]
    with open(scans_path, encoding="utf-8") as f:
        spec = json.load(f)
    columns = {name: ty for name, ty in spec["columns"]}
    con = duckdb.connect(":memory:")
    t0 = time.perf_counter()
    con.execute(
        "CREATE TABLE case_facts AS SELECT * FROM read_csv(?, header = true, columns = ?)",
        [csv_path, columns],
    )
    load_ms = (time.perf_counter() - t0) * 1000.0
    rows = con.execute("SELECT COUNT(*) FROM case_facts").fetchone()[0]
    print(json.dumps({"version": duckdb.__version__, "rows": rows, "load_ms": load_ms}), flush=True)
    statements = [(s["sql"], s["params"]) for s in spec["statements"]]
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            return 0
        if command != "run":
            print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
            continue
        t0 = time.perf_counter()
        values = []
        for sql, params in statements:
            row = con.execute(sql, params).fetchone()
            values.append([None if v is None else float(v) for v in row])
        ms = (time.perf_counter() - t0) * 1000.0
        print(json.dumps({"ms": ms, "values": values}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
