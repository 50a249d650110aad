"""The OpenAPI 3.1 document served at ``GET /api/v1/openapi.json``.

Built as a Python dict from the same tables the views use (:mod:`admin.actions`:
``ISSUE_FIELDS``, ``TICKET_ACTIONS``, ``ACTION_ROLES``; :data:`ult.sop.TRANSITIONS`), so a
field or a role added there is documented without a second edit. It also describes the
public endpoints of :mod:`admin.stream` (board, board events, ``/healthz``).

Descriptions are in English (developers read them); the ``message`` of every error the API
returns is Indonesian (staff read it).
"""

from __future__ import annotations

import copy
import functools
import types
import typing
from typing import Any

from admin import shapes
from admin.actions import ACTION_ROLES, ISSUE_FIELDS, MAX_ROW_ID, TICKET_ACTIONS, Field
from ult import exports, reports, sop
from ult.exports import XLSX_MIME as XLSX
from ult.guestbook import DOCUMENT_KIND_KEYS

API_VERSION = "1.0.0"
"""The document's ``info.version``; the URL prefix ``/api/v1`` changes only on a break."""

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or null (3.1: a type list, or ``anyOf`` for a reference)."""
    if "$ref" in schema or "oneOf" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    out = dict(schema)
    out["type"] = [schema["type"], "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}


def field_schema(spec: Field) -> dict[str, Any]:
    """The JSON Schema of one body field."""
    if spec.kind == "counter":
        schema: dict[str, Any] = dict(_ID)
    elif spec.kind == "unit":
        schema = {"oneOf": [dict(_ID), {"type": "string", "minLength": 1, "maxLength": 120}]}
    elif spec.kind == "bool":
        schema = {"type": "boolean"}
    elif spec.kind == "choice":
        schema = {"type": "string", "enum": list(spec.choices)}
    else:
        schema = {"type": "string"}
        if spec.required:
            schema["minLength"] = 1
        if spec.max_length is not None:
            schema["maxLength"] = spec.max_length
        if spec.pattern is not None:
            schema["pattern"] = spec.pattern
    if spec.nullable:
        schema = _null(schema)
    if spec.description:
        schema["description"] = spec.description
    return schema


def body_schema(fields: dict[str, Field]) -> dict[str, Any]:
    """An object of ``fields``; any other field is refused (422 ``field_unknown``)."""
    return {
        "type": "object",
        "properties": {name: field_schema(spec) for name, spec in fields.items()},
        "required": [name for name, spec in fields.items() if spec.required],
        "additionalProperties": False,
    }


def _type_schema(hint: Any) -> dict[str, Any]:
    """The JSON Schema of one Python type of :mod:`admin.shapes`: ``int``, ``str``,
    ``bool``, ``X | None``, ``list[X]``, ``dict[str, X]``, a ``TypedDict`` (a reference when
    it is a named component), each possibly ``Annotated`` with :class:`admin.shapes.Schema`."""
    if typing.get_origin(hint) in (typing.NotRequired, typing.Required):
        return _type_schema(typing.get_args(hint)[0])  # said by ``required``
    if typing.get_origin(hint) is typing.Annotated:
        inner, *extras = typing.get_args(hint)
        schema = _type_schema(inner)
        for extra in extras:
            if isinstance(extra, shapes.Schema):
                if "$ref" in schema:  # siblings of a reference go beside it (3.1)
                    schema = {"allOf": [schema]}
                schema.update(copy.deepcopy(extra.keywords))
        return schema
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        others = [arg for arg in args if arg is not type(None)]
        if len(others) != 1 or len(args) != 2:
            raise TypeError(f"only X | None is documented, not {hint}")
        return _null(_type_schema(others[0]))
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0])}
    if origin is dict:
        if args[1] is Any:
            return {"type": "object"}
        return {"type": "object", "additionalProperties": _type_schema(args[1])}
    if typing.is_typeddict(hint):
        name = _COMPONENT_NAMES.get(hint)
        return _ref(name) if name is not None else shape_schema(hint)
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    raise TypeError(f"no JSON Schema for {hint!r}")


_SCALARS = {bool: "boolean", int: "integer", str: "string"}
_COMPONENT_NAMES = {shape: name for name, shape in shapes.COMPONENTS.items()}


def shape_schema(shape: type) -> dict[str, Any]:
    """The JSON Schema object of a response ``TypedDict``: its keys, the required ones
    (all but ``NotRequired``), its docstring as description. Extra keys are not refused:
    a client reads the keys it knows (the stream adds payload codes)."""
    hints = typing.get_type_hints(shape, include_extras=True)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: _type_schema(hint) for name, hint in hints.items()},
        "required": [name for name in hints if name in shape.__required_keys__],
    }
    if shape.__doc__ and not shape.__doc__.startswith(shape.__name__ + "("):
        schema["description"] = " ".join(shape.__doc__.split())
    return schema


def _schemas() -> dict[str, Any]:
    """Response schemas (generated from :mod:`admin.shapes`), and the request bodies of
    every action."""
    schemas = {name: shape_schema(shape) for name, shape in shapes.COMPONENTS.items()}
    schemas["Error"]["example"] = {
        "error": "wrong_state",
        "message": "Tiket A-001 berstatus 'selesai'; ...",
    }
    schemas["IssueRequest"] = {
        **body_schema(ISSUE_FIELDS),
        "examples": [{"service": "A", "priority": False, "topic": None, "print": True}],
    }
    for action in TICKET_ACTIONS.values():
        if action.fields:
            schemas[_body_name(action.name)] = body_schema(action.fields)
    return schemas


def _body_name(action: str) -> str:
    return "".join(part.capitalize() for part in action.split("-")) + "Request"


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


_RESPONSES = {
    "BadRequest": _error(
        "csrf_failed: a cookie-authenticated request without a valid X-CSRFToken header."
    ),
    "Unauthorized": _error("login_required: no session and no valid bearer token."),
    "Forbidden": _error("forbidden: the caller's role may not do this."),
    "NotFound": _error("ticket_unknown, counter_unknown, unit_unknown or not_found."),
    "Conflict": _error("The state does not allow it (wrong_state, counter_busy, ...)."),
    "Unprocessable": _error(
        "body_invalid, field_unknown, field_required, field_invalid, or a value the queue "
        "refuses (service_unknown, nik_invalid, text_too_long, choice_invalid, ...)."
    ),
    "TooLarge": _error("too_large: the body is over 64 KiB."),
    "Unavailable": _error("database_unavailable: the appliance database cannot be opened."),
}


def _json_response(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref(schema)}}}


def _errors(*statuses: str) -> dict[str, Any]:
    names = {
        "400": "BadRequest",
        "401": "Unauthorized",
        "403": "Forbidden",
        "404": "NotFound",
        "409": "Conflict",
        "413": "TooLarge",
        "422": "Unprocessable",
        "503": "Unavailable",
    }
    return {status: {"$ref": f"#/components/responses/{names[status]}"} for status in statuses}


_READ_ERRORS = ("401", "403", "404", "503")
_WRITE_ERRORS = ("400", "401", "403", "404", "409", "413", "422", "503")


def _roles(action: str) -> str:
    return "Roles: " + ", ".join(ACTION_ROLES[action]) + "."


def _ticket_id() -> dict[str, Any]:
    return {"name": "ticket_id", "in": "path", "required": True, "schema": dict(_ID)}


def _counter_id() -> dict[str, Any]:
    return {"name": "counter_id", "in": "path", "required": True, "schema": dict(_ID)}


def _post(
    operation_id: str,
    summary: str,
    description: str,
    responses: dict[str, Any],
    *,
    tag: str,
    action: str,
    parameters: list[dict[str, Any]],
    body: str | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "description": f"{description} {_roles(action)}".strip(),
        "tags": [tag],
        "parameters": parameters,
        "responses": {**responses, **_errors(*_WRITE_ERRORS)},
        "x-roles": list(ACTION_ROLES[action]),
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": _ref(body)}},
        }
    return {"post": operation}


def _action_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for action in TICKET_ACTIONS.values():
        transition = sop.TRANSITIONS[action.transition]
        step = f"SOP step {transition.step}" if transition.step else "no SOP step"
        target = f"; state becomes `{transition.target}`" if transition.target else ""
        description = (
            f"Allowed from {', '.join(sorted(transition.sources))}{target}. Records event "
            f"`{transition.event}` ({step}) with the caller as actor."
        )
        for segment in (action.name, *action.aliases):
            alias = segment != action.name
            operation = _post(
                "ticket" + _body_name(segment).removesuffix("Request"),
                action.summary,
                f"Deprecated: use `{action.name}`, the same action. {description}"
                if alias
                else description,
                {"200": _json_response("The ticket after the action.", "Ticket")},
                tag="tickets",
                action=action.name,
                parameters=[_ticket_id()],
                body=_body_name(action.name) if action.fields else None,
            )
            if alias:
                operation["post"]["deprecated"] = True
            paths[f"/api/v1/tickets/{{ticket_id}}/{segment}"] = operation
    return paths


def _paths() -> dict[str, Any]:
    public: list[dict[str, Any]] = []
    paths: dict[str, Any] = {
        "/api/v1/tickets": _post(
            "issueTicket",
            "Issue a ticket (SOP 3), optionally printing it.",
            "With print true the printer state its owner (ult kiosk) last recorded is read "
            "first: one that certainly cannot print, or no owner running, issues nothing (409 "
            "printer_unavailable). The print is then requested from the owner: print_request "
            "is the request's id and its outcome (printed, print_failed, print_unconfirmed, "
            "payload.request = that id) follows on the event stream; a ticket whose paper is "
            "not confirmed is listed for reprint. A repeated Idempotency-Key on the same "
            "business day returns the first ticket with replayed true and asks for paper "
            "again only when its last print failed. priority true requires priority_category "
            "(422 priority_category_missing); only the kiosk's priority button issues without "
            "one. wait_text is the wait as the paper and the visitor's page word it; issued by "
            "override while the counters are closed it says so and when service resumes "
            "(service_resumes_at).",
            {
                "201": _json_response(
                    "The ticket, its place in line and its print request.", "IssuedTicket"
                )
            },
            tag="tickets",
            action="issue",
            parameters=[
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
                    "description": "A device's request id: the same key issues one ticket a day.",
                }
            ],
            body="IssueRequest",
        ),
        "/api/v1/tickets/{ticket_id}": {
            "get": {
                "operationId": "getTicket",
                "summary": "One ticket with its event history, oldest first.",
                "description": "Visitor data and case texts are masked unless the caller's "
                "role handles cases (front_office, back_office, unit, supervisor). "
                + _roles("view"),
                "tags": ["tickets"],
                "parameters": [_ticket_id()],
                "responses": {
                    "200": _json_response("The ticket.", "TicketDetail"),
                    **_errors(*_READ_ERRORS),
                },
                "x-roles": list(ACTION_ROLES["view"]),
            }
        },
        "/api/v1/tickets/{ticket_id}/reprint": _post(
            "reprintTicket",
            "Print an open ticket again with its current position.",
            "The print is requested from the printer's owner (ult kiosk): print_request is "
            "the request's id, its outcome follows on the event stream (null when no owner "
            "runs: print_failed with reason no_owner is recorded). 409 reprint_closed for a "
            "done, cancelled or expired ticket.",
            {"200": _json_response("The ticket and its print request.", "IssuedTicket")},
            tag="tickets",
            action="reprint",
            parameters=[_ticket_id()],
        ),
        **_action_paths(),
        "/api/v1/counters": {
            "get": {
                "operationId": "listCounters",
                "summary": "Every counter with its state, front office first.",
                "description": _roles("view"),
                "tags": ["counters"],
                "responses": {
                    "200": _json_response("The counters.", "CounterList"),
                    **_errors("401", "403", "503"),
                },
                "x-roles": list(ACTION_ROLES["view"]),
            }
        },
        "/api/v1/counters/{counter_id}/queue": {
            "get": {
                "operationId": "counterQueue",
                "summary": "What a counter can take next.",
                "description": "Front office: the waiting tickets of its services, priority "
                "first, then in line order (at most 50). Back office: escalated cases not yet "
                "taken. " + _roles("view"),
                "tags": ["counters"],
                "parameters": [_counter_id()],
                "responses": {
                    "200": _json_response("The counter and its line.", "CounterQueue"),
                    **_errors(*_READ_ERRORS),
                },
                "x-roles": list(ACTION_ROLES["view"]),
            }
        },
        "/api/v1/visits/latest": {
            "get": {
                "operationId": "latestVisit",
                "summary": "A known document's most recent visit, to pre-fill a form.",
                "description": "Only pre-fills: identify stores what is sent, and a name that "
                "differs from this visit's is refused (409 name_differs) unless "
                "confirm_name_change is true. " + _roles("prefill"),
                "tags": ["visits"],
                "parameters": [
                    {
                        "name": "document_kind",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": list(DOCUMENT_KIND_KEYS)},
                        "description": "Default ktp.",
                    },
                    {
                        "name": "document_number",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "maxLength": 40},
                    },
                ],
                "responses": {
                    "200": _json_response("The visit, or null.", "PrefillAnswer"),
                    **_errors("401", "403", "422", "503"),
                },
                "x-roles": list(ACTION_ROLES["prefill"]),
            }
        },
        "/api/v1/counters/{counter_id}/call-next": _post(
            "callNext",
            "Call the next ticket for a front-office counter (SOP 5).",
            "Priority first (with the interleave rule), else first come first served across "
            "the counter's services. Records event `called`.",
            {
                "200": _json_response("The called ticket.", "Ticket"),
                "204": {"description": "Nothing waits for this counter."},
            },
            tag="counters",
            action="call",
            parameters=[_counter_id()],
        ),
        "/api/v1/counters/{counter_id}/pause": _post(
            "pauseCounter",
            "Pause a front-office counter: it calls nothing until resumed.",
            "Records event `counter_paused`.",
            {"200": _json_response("The counter.", "Counter")},
            tag="counters",
            action="pause",
            parameters=[_counter_id()],
        ),
        "/api/v1/counters/{counter_id}/resume": _post(
            "resumeCounter",
            "Resume a paused counter.",
            "Records event `counter_resumed`.",
            {"200": _json_response("The counter.", "Counter")},
            tag="counters",
            action="resume",
            parameters=[_counter_id()],
        ),
        "/api/v1/reports/{section}": {"get": _report_operation()},
        "/api/v1/reports/ikm": {"get": _ikm_operation()},
        "/api/v1/board": {
            "get": {
                "operationId": "getBoard",
                "summary": "The caller board's state (no login, no personal data).",
                "tags": ["board"],
                "security": public,
                "responses": {
                    "200": _json_response("The board state.", "BoardState"),
                    **_errors("503"),
                },
            }
        },
        "/api/v1/board/events": {
            "get": {
                "operationId": "boardEvents",
                "summary": "The event log as Server-Sent Events (no login, no personal data).",
                "description": "Each message: `id:` the event-log id, `event:` its kind, "
                "`data:` JSON (schema StreamEventData). Starts with `retry:`; a `: ping` "
                "comment at least every 15 s. Resumes after max(Last-Event-ID, since); with "
                "neither it starts at the newest event. A resume point older than what is "
                "kept, or newer than the log, first gets one `snapshot` message (data: "
                "BoardState). 503 too_many_streams over the configured cap.",
                "tags": ["board"],
                "security": public,
                "parameters": [
                    {
                        "name": "Last-Event-ID",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "pattern": "^[0-9]{1,19}$"},
                        "description": "The id of the last message received (sent by EventSource).",
                    },
                    {
                        "name": "since",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ROW_ID},
                        "description": "Resume after this event id.",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "An endless text/event-stream.",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    "422": _error("event_id_invalid: Last-Event-ID or since is not an id."),
                    "503": _error("too_many_streams or database_unavailable."),
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "healthz",
                "summary": "Health: the database can be read and written, the free disk space, "
                "the pages' files, the printer state, the newest event id.",
                "tags": ["health"],
                "security": public,
                "responses": {
                    "200": _json_response("Healthy.", "Health"),
                    "503": _json_response(
                        "The database cannot be read or written, or a page file is missing; "
                        "error names the cause: database_unavailable, pages_missing, disk_full, "
                        "read_only, no_permission, database_locked or write_failed.",
                        "Health",
                    ),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document (no login).",
                "tags": ["meta"],
                "security": public,
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1.",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }
    return paths


def _report_operation() -> dict[str, Any]:
    """``GET /api/v1/reports/{section}`` (:mod:`admin.reports`)."""
    day = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}

    def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema,
            "description": description,
        }

    bad = _error(
        "A bad parameter, with an Indonesian message: date_invalid, range_missing, "
        "range_mixed, range_reversed, range_too_long, period_invalid, service_unknown, "
        "format_invalid, csv_one_section (csv of all), xlsx_too_big (take csv), "
        "parameter_unknown."
    )
    return {
        "operationId": "getReport",
        "summary": "A report section for a period: JSON rows, CSV or XLSX.",
        "description": "The same table as the report pages, `ult report` and the exports. "
        "The period is from/to (local business days, both included), or period with a date "
        f"in it (default today); at most {reports.MAX_PERIOD_DAYS} days. JSON keeps times as "
        "UTC stamps; CSV (UTF-8 with BOM) and XLSX hold the office's local time, durations "
        "in seconds, shares 0-100, yes/no flags as true/false (files: ya/tidak). Section "
        "`all`: every aggregate section (JSON: ReportBundle; XLSX: one sheet each; CSV "
        "refused); the personal ones are asked for by name. CSV streams; an XLSX over "
        f"{exports.XLSX_ROWS_MAX} rows is refused (400 xlsx_too_big: take CSV). The step "
        "record (`steps`) and "
        "the guest book (`guestbook`) carry personal data: supervisor only (403 for other "
        f"roles). {_roles('report')}",
        "tags": ["reports"],
        "parameters": [
            {
                "name": "section",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": [*reports.SECTIONS, "all"]},
            },
            query("from", day, "First day, YYYY-MM-DD (with to)."),
            query("to", day, "Last day, YYYY-MM-DD, included (with from)."),
            query(
                "period",
                {"type": "string", "enum": list(reports.PERIOD_KINDS)},
                "Instead of from/to: the calendar period holding date.",
            ),
            query("date", day, "A day in period (default: today's business day)."),
            query("service", {"type": "string", "pattern": "^[A-Za-z]$"}, "One service."),
            query(
                "format",
                {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"},
                "The answer's format (csv and xlsx as a download).",
            ),
        ],
        "responses": {
            "200": {
                "description": "The report.",
                "content": {
                    JSON: {"schema": {"oneOf": [_ref("ReportTable"), _ref("ReportBundle")]}},
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            },
            "400": bad,
            **_errors("401", "403", "404", "503"),
        },
        "x-roles": list(ACTION_ROLES["report"]),
    }


def _ikm_operation() -> dict[str, Any]:
    """``GET /api/v1/reports/ikm``: the report operation with the IKM's own JSON."""
    operation = _report_operation()
    operation["parameters"] = [p for p in operation["parameters"] if p["name"] != "section"]
    operation["responses"]["200"]["content"][JSON] = {"schema": _ref("IkmReport")}
    return {
        **operation,
        "operationId": "getIkm",
        "summary": "The satisfaction index (IKM, PermenPANRB 14/2017) of a period.",
        "description": "Per element of the SKM: NRR = sum of its answers / respondents who "
        "answered it; IKM = mean of the nine NRRs x 25 (weight exactly 1/9), rounded once "
        "half up to two decimals; grade A 88.31-100, B 76.61-88.30, C 65.00-76.60, D "
        "25.00-64.99. respondents against the Krejcie-Morgan sample of the period's "
        "finished tickets (visitors). No IKM (null, refused says why) with no response or "
        "an element nobody answered. A service with fewer than [survey] min_group "
        "respondents is folded away (in services, and when asked for alone). Same "
        "parameters as the other sections; CSV: the element table; XLSX: elements and "
        f"services. {_roles('report')}",
    }


@functools.cache
def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ULT Kiosk API",
            "version": API_VERSION,
            "description": "The queue appliance of the Unit Layanan Terpadu: issue tickets, "
            "walk them through the SOP's steps, follow the caller board. Every error is "
            "JSON {error, message} with a stable code and an Indonesian message: 401 no "
            "login, 403 wrong role, 404 unknown ticket or counter, 409 illegal transition, "
            "422 invalid body or value. A refused request changes nothing. Every staff "
            "action is recorded in the event log with the caller as actor.",
        },
        "tags": [
            {"name": "tickets", "description": "Issue tickets and take them through the SOP."},
            {"name": "counters", "description": "Counters: call, pause, their lines."},
            {"name": "visits", "description": "The guest book: what each visit recorded."},
            {"name": "reports", "description": "The report book: sections for a period."},
            {"name": "board", "description": "The public caller board and its stream."},
            {"name": "health", "description": "Monitoring."},
            {"name": "meta", "description": "This document."},
        ],
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A device or script token from `ult token create NAME "
                    "--role ROLE`. No CSRF token needed.",
                },
                "cookieAuth": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "ult_session",
                    "description": "The staff session from POST /login. Unsafe requests "
                    "(POST) must also send the session's CSRF token in the X-CSRFToken "
                    "header (the csrf-token meta tag of any staff page); without it: 400 "
                    "csrf_failed.",
                },
            },
            "schemas": _schemas(),
            "responses": _RESPONSES,
        },
    }


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (a fresh copy: callers may change it)."""
    return copy.deepcopy(_document())
