#!/usr/bin/env python3
"""Crash test (issue 16): kill -9 the server during concurrent creates and transitions, restart it,
and check that

  * every acknowledged create is there (the case, its first event),
  * every acknowledged transition is there (its event, the case's state after it),
  * nothing unacknowledged is half there: every case has events 1..version without gaps, its state
    is the last event's target state, and one audit entry per event,
  * the number of cases lies between the acknowledged creates and those plus the creates still in
    flight when the server died,
  * `fazhi audit verify` passes.

Loopback only, bounded: --rounds kills, each after a random 0.5..--max-seconds of load with
--workers concurrent clients. SQLite or PostgreSQL (a fresh database on 127.0.0.1:5432, dropped at
the end). Standard library only. Prints one line per round and a summary line of figures.

    scripts/crash_test.py --bin target/debug/fazhi --backend sqlite --rounds 3
"""

import argparse
import base64
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

PASSWORD = "Crash-test-password-2026"
DIVISION = "330106001"
PG_ADMIN = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-At", "-v", "ON_ERROR_STOP=1"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Db:
    """Read access to the database for the checks (the server is the only writer)."""

    def __init__(self, backend, tmp):
        self.backend = backend
        if backend == "sqlite":
            self.path = os.path.join(tmp, "crash.db")
            self.url = f"sqlite://{self.path}"
        else:
            self.name = f"fazhi_crash_{os.getpid()}_{random.randrange(1 << 30)}"
            subprocess.run(PG_ADMIN + ["-d", "postgres", "-c", f"CREATE DATABASE {self.name}"],
                           check=True, stdout=subprocess.DEVNULL)
            self.url = f"postgres://postgres@127.0.0.1:5432/{self.name}"

    def rows(self, sql):
        if self.backend == "sqlite":
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                return [tuple(str(v) for v in r) for r in con.execute(sql).fetchall()]
            finally:
                con.close()
        out = subprocess.run(PG_ADMIN + ["-d", self.name, "-F", "\t", "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def drop(self):
        if self.backend == "postgres":
            subprocess.run(PG_ADMIN + ["-d", "postgres", "-c",
                                       f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"],
                           check=False, stdout=subprocess.DEVNULL)


class Server:
    def __init__(self, binary, db, tmp):
        self.binary, self.db, self.tmp = binary, db, tmp
        self.port = free_port()
        self.proc = None
        self.starts = 0

    def start(self):
        self.starts += 1
        log = open(os.path.join(self.tmp, f"server{self.starts}.log"), "wb")
        env = dict(os.environ, FAZHI_DATABASE_URL=self.db.url)
        self.proc = subprocess.Popen([self.binary, "serve", "--port", str(self.port)], env=env,
                                     stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"server exited with {self.proc.returncode}; log in {log.name}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        sys.exit("server did not answer /healthz within 60 s")

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.kill9()


def request(port, method, path, body=None, headers=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["content-type"] = "application/json"
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    return r.status, r.read(), r.getheader("set-cookie") or ""


def setup(binary, db, server):
    env = dict(os.environ, FAZHI_DATABASE_URL=db.url, FAZHI_PASSWORD=PASSWORD)
    subprocess.run([binary, "init", "--unit-name", "望江街道办事处", "--level", "街道",
                    "--division-code", DIVISION, "--admin-login", "admin",
                    "--case-types", "hotline_ticket"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([binary, "user", "add", "--login", "handler", "--name", "承办人",
                    "--unit", DIVISION, "--role", "handler"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    server.start()
    # The department tickets are dispatched to: the page form, as the admin.
    port = server.port
    st, html, cookie = request(port, "GET", "/login")
    login_csrf = re.search(rb'name="_csrf" value="([^"]+)"', html).group(1).decode()
    cookie = cookie.split(";")[0]
    form = urllib.parse.urlencode({"login": "admin", "password": PASSWORD, "next": "/",
                                   "_csrf": login_csrf})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/login", body=form, headers={
        "content-type": "application/x-www-form-urlencoded", "cookie": cookie})
    r = c.getresponse()
    r.read()
    assert r.status == 303, f"admin login: {r.status}"
    session = r.getheader("set-cookie").split(";")[0]
    st, html, _ = request(port, "GET", "/org", headers={"cookie": session})
    csrf = re.search(rb'name="_csrf" value="([^"]+)"', html).group(1).decode()
    form = urllib.parse.urlencode({"_csrf": csrf, "unit_code": DIVISION, "code": "urban",
                                   "name": "城管科"})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/org/departments", body=form, headers={
        "content-type": "application/x-www-form-urlencoded", "cookie": session})
    r = c.getresponse()
    r.read()
    assert r.status in (200, 303), f"department: {r.status}"
    basic = base64.b64encode(f"handler:{PASSWORD}".encode()).decode()
    st, body, _ = request(port, "POST", "/api/v1/tokens", {"name": "crash-test"},
                          {"authorization": f"Basic {basic}"}, timeout=30)
    assert st == 201, f"token: {st} {body!r}"
    return json.loads(body)["token"]


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.created = {}        # case id -> marker (acknowledged creates)
        self.dispatched = set()  # case ids with an acknowledged dispatch
        self.inflight_creates = 0
        self.inflight_dispatches = set()
        self.other_status = {}
        self.other_example = {}


def worker(port, token, ledger, stop, wid, seq):
    auth = {"authorization": f"Bearer {token}"}
    mine = []
    n = 0
    while not stop.is_set():
        n += 1
        # Alternate: a create, then (when there is one) a dispatch of an earlier create.
        if mine and n % 2 == 0:
            cid = mine.pop()
            body = {"transition": "dispatch", "input": {"assignee_department": "urban"}}
            try:
                st, _, _ = request(port, "POST", f"/api/v1/cases/{cid}/transitions", body, auth)
            except OSError:
                with ledger.lock:
                    ledger.inflight_dispatches.add(cid)
                return
            with ledger.lock:
                if st == 200:
                    ledger.dispatched.add(cid)
                else:
                    ledger.other_status[st] = ledger.other_status.get(st, 0) + 1
            continue
        marker = f"crash-{seq}-{wid}-{n}"
        body = {"case_type": "hotline_ticket",
                "input": {"channel": "电话", "caller_phone": "13800138000", "category": "咨询",
                          "content": marker}}
        try:
            st, resp, _ = request(port, "POST", "/api/v1/cases", body, auth)
        except OSError:
            with ledger.lock:
                ledger.inflight_creates += 1
            return
        if st == 201:
            cid = json.loads(resp)["case_id"]
            with ledger.lock:
                ledger.created[cid] = marker
            mine.append(cid)
        else:
            with ledger.lock:
                ledger.other_status[st] = ledger.other_status.get(st, 0) + 1
                ledger.other_example.setdefault(st, resp[:300])


def check(db, binary, ledger):
    """The invariants after a restart; returns a list of problems."""
    problems = []
    cases = {int(i): (state, int(v)) for i, state, v in
             db.rows("SELECT id, state, version FROM cases")}
    events = {}
    for cid, seq, trans, to in db.rows(
            "SELECT case_id, seq, transition, to_state FROM case_events ORDER BY case_id, seq"):
        events.setdefault(int(cid), []).append((int(seq), trans, to))
    audits = {int(i): int(n) for i, n in db.rows(
        "SELECT CAST(entity_id AS BIGINT), COUNT(*) FROM audit_log WHERE entity = 'case' "
        "GROUP BY entity_id")}
    for cid, marker in ledger.created.items():
        if cid not in cases:
            problems.append(f"acknowledged create {cid} ({marker}) is missing")
    for cid in ledger.dispatched:
        if not any(t == "dispatch" for _, t, _ in events.get(cid, [])):
            problems.append(f"acknowledged dispatch of case {cid} is missing")
    for cid, (state, version) in cases.items():
        ev = events.get(cid, [])
        seqs = [s for s, _, _ in ev]
        if not ev or seqs != list(range(1, len(ev) + 1)):
            problems.append(f"case {cid}: events {seqs}")
            continue
        if ev[-1][2] != state:
            problems.append(f"case {cid}: state {state}, last event to {ev[-1][2]}")
        if audits.get(cid, 0) != len(ev):
            problems.append(f"case {cid}: {len(ev)} events, {audits.get(cid, 0)} audit entries")
    orphans = set(events) - set(cases)
    if orphans:
        problems.append(f"events without a case: {sorted(orphans)[:10]}")
    acked = len(ledger.created)
    if not (acked <= len(cases) <= acked + ledger.inflight_creates):
        problems.append(f"{len(cases)} cases, {acked} acknowledged creates, "
                        f"{ledger.inflight_creates} in flight")
    env = dict(os.environ, FAZHI_DATABASE_URL=db.url)
    r = subprocess.run([binary, "audit", "verify"], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        problems.append(f"fazhi audit verify failed: {r.stdout}{r.stderr}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/debug/fazhi")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--max-seconds", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=16)
    a = ap.parse_args()
    random.seed(a.seed)
    binary = os.path.abspath(a.bin)
    tmp = tempfile.mkdtemp(prefix="fazhi-crash-")
    db = Db(a.backend, tmp)
    server = Server(binary, db, tmp)
    ok = False
    try:
        token = setup(binary, db, server)
        ledger = Ledger()
        load_seconds = 0.0
        for rnd in range(1, a.rounds + 1):
            if server.proc.poll() is not None:
                server.start()
            before = (len(ledger.created), len(ledger.dispatched))
            stop = threading.Event()
            threads = [threading.Thread(target=worker,
                                        args=(server.port, token, ledger, stop, w, rnd))
                       for w in range(a.workers)]
            t0 = time.monotonic()
            for t in threads:
                t.start()
            time.sleep(random.uniform(0.5, a.max_seconds))
            server.kill9()
            elapsed = time.monotonic() - t0
            load_seconds += elapsed
            stop.set()
            for t in threads:
                t.join(30)
            server.start()
            problems = check(db, binary, ledger)
            c = len(ledger.created) - before[0]
            d = len(ledger.dispatched) - before[1]
            print(f"{a.backend} round {rnd}/{a.rounds}: killed after {elapsed:.2f} s; "
                  f"acknowledged {c} creates ({c / elapsed:.0f}/s) and {d} dispatches; "
                  f"in flight at the kill: {ledger.inflight_creates} creates, "
                  f"{len(ledger.inflight_dispatches)} dispatches (cumulative); "
                  f"{'OK' if not problems else 'FAILED'}", flush=True)
            if c == 0:
                problems.append("no create was acknowledged in this round: the load did not run "
                                f"(answers: {ledger.other_status} {ledger.other_example})")
            if problems:
                print("\n".join(problems[:50]))
                sys.exit(1)
        if not ledger.dispatched:
            sys.exit("no dispatch was acknowledged: the transitions did not run "
                     f"(answers: {ledger.other_status} {ledger.other_example})")
        if ledger.other_status:
            print(f"other answers (not writes): {ledger.other_status}")
        print(f"{a.backend}: {a.rounds} kill -9 runs, {len(ledger.created)} acknowledged creates "
              f"and {len(ledger.dispatched)} dispatches in {load_seconds:.1f} s of load, "
              f"none lost, none half written; audit chain verifies")
        ok = True
    finally:
        server.stop()
        db.drop()
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"server logs kept in {tmp}", file=sys.stderr)


if __name__ == "__main__":
    main()
