#!/usr/bin/env python3
"""A loopback stand-in for Cloudflare's D1 REST API, built from its documentation
(../shared/d1/README.md and the OpenAPI subset), for opsql's tests.

  d1_standin.py --dir DIR --token TOKEN [--account ACCT] [--database NAME=UUID ...] [--log FILE]

Prints the port it listens on (127.0.0.1, chosen by the OS), then serves until killed.
Each database is a SQLite file DIR/<uuid>.sqlite. What it does like D1:
  - the envelope {result, success, errors, messages}; errors as {code, message};
  - bearer auth (403, code 10000), unknown database (404, code 7404),
    bad SQL (400, code 7500, "<sqlite message>: SQLITE_ERROR");
  - GET/POST .../database, GET/DELETE .../database/{id or name}, POST .../{id}/query and /raw;
  - a multi-statement `sql` is split here and run in one transaction; `batch` too;
    positional `params` bound to `?`;
  - D1's restrictions: BEGIN/COMMIT/SAVEPOINT, ATTACH, TEMP objects, `_cf_*` names and
    PRAGMAs off the allow-list are refused ("not authorized").
Test controls (not part of D1): POST /__standin/fail {"count": N, "status": 429|500|"garbage",
"retry_after": S} makes the next N API requests fail that way; every API request is appended
to --log as a JSON line (method, path, headers, body) so tests can check what the client sent.
"""
import argparse, json, os, re, sqlite3, sys, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PRAGMAS = {"table_list", "table_info", "table_xinfo", "data_version", "page_size",
           "case_sensitive_like", "foreign_keys", "defer_foreign_keys", "ignore_check_constraints",
           "legacy_alter_table", "recursive_triggers", "reverse_unordered_selects",
           "foreign_key_check", "foreign_key_list", "index_info", "index_list", "index_xinfo",
           "quick_check", "optimize"}
DENIED_ACTIONS = {sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT, sqlite3.SQLITE_ATTACH,
                  sqlite3.SQLITE_DETACH, sqlite3.SQLITE_CREATE_TEMP_INDEX,
                  sqlite3.SQLITE_CREATE_TEMP_TABLE, sqlite3.SQLITE_CREATE_TEMP_TRIGGER,
                  sqlite3.SQLITE_CREATE_TEMP_VIEW}


def authorizer(action, arg1, arg2, dbname, source):
    if action in DENIED_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg1.lower() not in PRAGMAS:
        return sqlite3.SQLITE_DENY
    for name in (arg1, arg2):
        if name and name.lower().startswith("_cf_") and action != sqlite3.SQLITE_READ:
            return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def split_statements(sql):
    """Statement by statement, as sqlite3_complete sees them (quotes, comments, triggers)."""
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        for part in re.split(r"(;)", line):
            current += part
            if part == ";" and sqlite3.complete_statement(current):
                if current.strip() != ";":
                    statements.append(current.strip())
                current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


class State:
    def __init__(self, args):
        self.dir, self.token, self.account = args.dir, args.token, args.account
        self.log = args.log
        self.lock = threading.Lock()
        self.fail = {"count": 0}
        self.databases = {}  # uuid -> name
        for spec in args.database:
            name, _, ident = spec.partition("=")
            self.databases[ident or str(uuid.uuid4())] = name
        for ident in self.databases:
            sqlite3.connect(self.path(ident)).close()

    def path(self, ident):
        return os.path.join(self.dir, ident + ".sqlite")

    def find(self, key):
        if key in self.databases:
            return key
        for ident, name in self.databases.items():
            if name == key:
                return ident
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body in one write: two small writes meet the client's delayed ACK (40 ms).
    wbufsize = 65536

    def log_message(self, *a):
        pass

    def reply(self, status, payload, headers=None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def ok(self, result):
        self.reply(200, {"result": result, "success": True, "errors": [], "messages": []})

    def error(self, status, code, message):
        self.reply(status, {"result": None, "success": False,
                            "errors": [{"code": code, "message": message}], "messages": []})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self, method):
        state = self.server.state
        raw = self.body()
        if self.path == "/__standin/fail":
            with state.lock:
                state.fail = json.loads(raw or b"{}")
            return self.ok({"armed": state.fail})
        if state.log:
            with state.lock, open(state.log, "a") as f:
                f.write(json.dumps({"method": method, "path": self.path,
                                    "headers": {k.lower(): v for k, v in self.headers.items()},
                                    "body": raw.decode("utf-8", "replace")}) + "\n")
        with state.lock:
            failing = state.fail.get("count", 0) > 0
            if failing:
                state.fail["count"] -= 1
                kind = state.fail.get("status")
        if failing:
            if kind == 429:
                return self.reply(429, {"result": None, "success": False, "errors": [
                    {"code": 971, "message": "Please wait and consider throttling your request speed"}],
                    "messages": []}, {"Retry-After": str(state.fail.get("retry_after", 1))})
            if kind == "garbage":
                return self.reply(502, b"<html><body>502 Bad Gateway</body></html>")
            return self.error(500, 7500, "Internal error")
        m = re.fullmatch(r"/client/v4/accounts/([^/]+)/d1/database(?:/([^/?]+)(?:/(query|raw))?)?(?:\?.*)?", self.path)
        if not m:
            return self.error(404, 7003, "No route for the URI")
        auth = self.headers.get("Authorization", "")
        if auth != "Bearer " + state.token:
            return self.error(403, 10000, "Authentication error")
        account, key, op = m.groups()
        if account != state.account:
            return self.error(403, 10000, "Authentication error")
        if key is None:
            if method == "GET":
                return self.ok([{"uuid": i, "name": n, "version": "production"} for i, n in state.databases.items()])
            if method == "POST":
                name = json.loads(raw or b"{}").get("name")
                ident = str(uuid.uuid4())
                state.databases[ident] = name
                sqlite3.connect(state.path(ident)).close()
                return self.ok({"uuid": ident, "name": name, "version": "production"})
            return self.error(405, 10000, "Method not allowed")
        ident = state.find(key)
        if ident is None:
            return self.error(404, 7404, "The database %s could not be found" % key)
        if op is None:
            if method == "GET":
                size = os.path.getsize(state.path(ident))
                return self.ok({"uuid": ident, "name": state.databases[ident], "version": "production",
                                "file_size": size, "num_tables": 0, "created_at": "2026-01-01T00:00:00Z"})
            if method == "DELETE":
                del state.databases[ident]
                os.remove(state.path(ident))
                return self.ok(None)
            return self.error(405, 10000, "Method not allowed")
        if method != "POST":
            return self.error(405, 10000, "Method not allowed")
        try:
            request = json.loads(raw)
        except ValueError:
            return self.error(400, 10001, "Malformed JSON in request body")
        items = request.get("batch") if isinstance(request, dict) and "batch" in request else [request]
        if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("sql"), str) for i in items):
            return self.error(400, 10001, "sql: Required")
        return self.run(ident, items, op == "raw")

    def run(self, ident, items, raw_format):
        conn = sqlite3.connect(self.server.state.path(ident), isolation_level=None)
        results = []
        try:
            conn.execute("BEGIN")
            conn.set_authorizer(authorizer)
            for item in items:
                params = item.get("params") or []
                statements = split_statements(item["sql"])
                if params and len(statements) > 1:
                    raise sqlite3.OperationalError("params can only be used with a single statement")
                for sql in statements:
                    start = time.monotonic()
                    before = conn.total_changes
                    cur = conn.execute(sql, params)
                    rows = cur.fetchall()
                    columns = [d[0] for d in cur.description] if cur.description else []
                    changes = conn.total_changes - before
                    meta = {"served_by": "d1-standin", "served_by_primary": True,
                            "duration": round((time.monotonic() - start) * 1000, 3),
                            "changes": changes, "last_row_id": cur.lastrowid or 0,
                            "changed_db": changes > 0, "size_after": 0,
                            "rows_read": len(rows), "rows_written": changes}
                    if raw_format:
                        data = {"columns": columns, "rows": [list(r) for r in rows]}
                    else:
                        data = [dict(zip(columns, r)) for r in rows]
                    results.append({"results": data, "success": True, "meta": meta})
            conn.set_authorizer(None)
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            conn.set_authorizer(None)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            return self.error(400, 7500, "%s: SQLITE_ERROR" % e)
        conn.close()
        return self.ok(results)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--account", default="test-account")
    p.add_argument("--database", action="append", default=[])
    p.add_argument("--log")
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.state = State(args)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
