"""A Snowflake EMULATOR for the tests: fakesnow's server (Snowflake SQL run on DuckDB through sqlglot), with a
layer that answers in the JSON result format the Node snowflake-sdk reads.

fakesnow answers for the Python connector: SELECT results as Arrow (rowsetBase64), without "returned" or
code "0" (the Node driver then waits forever or polls), no GET /queries/{id}/result, and HTTP 500 for an
error it did not expect (the Node driver retries any 5xx by sending the query again: an INSERT would run
twice). This layer turns each answer into Snowflake's JSON result: every value a string in Snowflake's own
conventions (FIXED as exact decimal text, DATE as days since the epoch, TIME and TIMESTAMP_NTZ/LTZ as
seconds with a nine-digit fraction, TIMESTAMP_TZ with its offset, BOOLEAN as 1/0, VARIANT as JSON text,
BINARY as hex), and an unexpected error into a failed answer with a message and a SQL state.

Run: python emulator.py --port PORT. Prints "ready http://127.0.0.1:PORT" once it accepts connections.
"""
from __future__ import annotations

import argparse
import base64
import datetime
import gzip
import json
import os
import sys
from decimal import Decimal
from typing import Any

import pyarrow as pa
import uvicorn
from fakesnow.server import app as fakesnow_app

EPOCH = datetime.date(1970, 1, 1)

# Results by query id, for GET /queries/{id}/result (the driver asks for it when it takes a query as async).
results: dict[str, dict[str, Any]] = {}


def to_text(value: Any, column: dict[str, Any]) -> str | None:
    if value is None:
        return None
    kind = str(column.get("type", "")).lower()
    if kind == "fixed":
        if isinstance(value, Decimal):
            scale = column.get("scale") or 0
            return format(value.quantize(Decimal(1).scaleb(-scale)) if scale else value.to_integral_value(), "f")
        return str(int(value))
    if kind == "real":
        return repr(float(value))
    if kind == "boolean":
        return "1" if value else "0"
    if kind == "date":
        return str((value - EPOCH).days)
    if kind == "time":
        nanos = int(value)
        return f"{nanos // 1_000_000_000}.{nanos % 1_000_000_000:09d}"
    if kind in ("timestamp_ntz", "timestamp_ltz", "timestamp_tz"):
        epoch, fraction = value["epoch"], value["fraction"]
        if epoch is None:
            return None  # fakesnow builds its timestamp structs from non-null children
        text = f"{epoch}.{fraction:09d}"
        return f"{text} {value['timezone']}" if kind == "timestamp_tz" and "timezone" in value else text
    if kind == "binary":
        return bytes(value).hex().upper()
    if kind in ("variant", "object", "array"):
        return value if isinstance(value, str) else json.dumps(value)
    return str(value)


def json_rowset(data: dict[str, Any]) -> list[list[str | None]]:
    encoded = data.get("rowsetBase64") or ""
    if not encoded:
        return []
    table = pa.ipc.open_stream(base64.b64decode(encoded)).read_all()
    columns = data.get("rowtype") or []
    lists = [c.to_pylist() for c in table.columns]
    return [[to_text(v, columns[i]) for i, v in enumerate(row)] for row in zip(*lists)] if lists else []


# Snowflake answers every query with the session's output formats, which the driver formats values by
# (a TIME is given to the caller as text in TIME_OUTPUT_FORMAT); fakesnow sends none. Snowflake's
# documented defaults, overridden by the statement's own parameters as Snowflake does.
OUTPUT_FORMATS = {
    "TIME_OUTPUT_FORMAT": "HH24:MI:SS",
    "DATE_OUTPUT_FORMAT": "YYYY-MM-DD",
    "TIMESTAMP_OUTPUT_FORMAT": "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM",
    "TIMESTAMP_NTZ_OUTPUT_FORMAT": "YYYY-MM-DD HH24:MI:SS.FF3",
    "TIMESTAMP_LTZ_OUTPUT_FORMAT": "",
    "TIMESTAMP_TZ_OUTPUT_FORMAT": "",
}


def translate(body: dict[str, Any], sql_text: str, statement_parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    data = body.get("data") or {}
    if not body.get("success"):
        return body
    if "rowtype" not in data:
        return body  # a PUT's stage data, say
    rowset = json_rowset(data) if data.get("queryResultFormat") == "arrow" else data.get("rowset") or []
    data = {k: v for k, v in data.items() if k != "rowsetBase64"}
    data.update({"queryResultFormat": "json", "rowset": rowset, "returned": len(rowset), "total": len(rowset), "sqlText": sql_text})
    formats = {**OUTPUT_FORMATS, **{k: v for k, v in (statement_parameters or {}).items() if k in OUTPUT_FORMATS}}
    data["parameters"] = [{"name": k, "value": v} for k, v in formats.items()] + [p for p in data.get("parameters") or [] if p.get("name") not in formats]
    answer = {**body, "code": "0", "data": data}
    if os.environ.get("RETL_EMULATOR_DEBUG"):
        print(json.dumps({"sql": sql_text, "rowtype": data.get("rowtype"), "rowset": rowset[:3]}), file=sys.stderr, flush=True)
    if data.get("queryId"):
        results[data["queryId"]] = answer
    return answer


class JsonResults:
    """ASGI app around fakesnow's: translates query answers, serves results by id."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        if scope.get("method") == "GET" and path.startswith("/queries/") and path.endswith("/result"):
            query_id = path.split("/")[2]
            answer = results.get(query_id) or {"success": False, "code": "000709", "message": f"Statement {query_id} not found", "data": {"sqlState": "02000"}}
            return await respond(send, 200, answer)
        if path != "/queries/v1/query-request":
            return await self.inner(scope, receive, send)

        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        headers = dict(scope.get("headers") or [])
        text = gzip.decompress(raw) if headers.get(b"content-encoding") == b"gzip" else raw
        request = json.loads(text)
        sql_text = request.get("sqlText", "")
        statement_parameters = request.get("parameters") or {}

        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        status = 200
        out: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                out.append(message.get("body", b""))

        await self.inner(scope, replay, capture)
        try:
            body = json.loads(b"".join(out) or b"{}")
        except ValueError:
            body = {"success": False, "message": "the emulator gave no JSON answer"}
        if status >= 500 or status == 200 and body.get("success") is False and not body.get("data"):
            # An error fakesnow did not expect: a failed statement, never a 5xx (the driver would send it again).
            message = str(body.get("message") or "unexpected error in the emulator")
            body = {"success": False, "code": str(body.get("code") or "100000"), "message": message, "data": {"sqlState": "XX000", "errorCode": "100000"}}
            return await respond(send, 200, body)
        try:
            answer = translate(body, sql_text, statement_parameters)
        except Exception as err:  # noqa: BLE001 - a value this layer cannot render fails the statement, visibly
            answer = {"success": False, "code": "100000", "message": f"the emulator could not render the result: {err}", "data": {"sqlState": "XX000", "errorCode": "100000"}}
        return await respond(send, status, answer)


async def respond(send: Any, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    config = uvicorn.Config(JsonResults(fakesnow_app), host="127.0.0.1", port=args.port, log_level="warning")
    server = uvicorn.Server(config)

    original = server.startup

    async def startup(*a: Any, **k: Any) -> None:
        await original(*a, **k)
        print(f"ready http://127.0.0.1:{args.port}", flush=True)

    server.startup = startup  # type: ignore[method-assign]
    server.run()


if __name__ == "__main__":
    sys.exit(main())
