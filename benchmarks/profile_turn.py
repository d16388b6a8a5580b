#!/usr/bin/env python3
"""Profile one turn by stage: where the milliseconds of a message go.

    .venv/bin/python benchmarks/profile_turn.py            # starts a server in a scratch data dir too
    .venv/bin/python benchmarks/profile_turn.py --turns 200 --no-server

The engine is loaded in this process as the app loads it (api/main.py: migrations, then
`load_engine`), in a scratch CARING_DATA_DIR, and `Engine.reply` is run on bench.py's message mix,
one conversation at a time. Its stages are timed by wrapping the engine's methods and functions at
runtime with time.perf_counter (no app code changes): the risk check, understanding (intent model,
response selector, feelings, question split), entity extraction, rules and forms, actions through
the rasa-sdk executor, rendering, and the database (the unit of work: writer lock, BEGIN, SELECT,
INSERT/UPDATE, COMMIT). Each stage's time is its own (exclusive: what nested stages took is
theirs), so the stages add up to the turn. Beside it, the same messages through the ASGI app
in-process (FastAPI, middleware, thread pool; no socket) and over HTTP to a real server on
127.0.0.1, and `GET /health` there, for the "turn p50 within 3x of /health p50" target.

Only 127.0.0.1 is ever contacted, and every loop is bounded. Prints figures; asserts nothing.
"""

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import inspect
import math
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import MESSAGES, ROOT, free_port, pct, start_server, stop_server  # noqa: E402

WEBHOOK = "/webhooks/rest/webhook"

# The summary's stages, in the order a turn meets them: each wrapped function says which it is.
CATEGORIES: dict[str, str] = {
    "risk": "clean + risk check (risk.assess)",
    "understanding": "understanding (intent model, selector)",
    "entities": "entity extraction",
    "dialogue": "rules / forms / tracker state",
    "actions": "actions (rasa-sdk executor)",
    "rendering": "rendering (content pack)",
    "database": "database (unit of work)",
    "glue": "engine glue (reply/_respond rest)",
}


# -- the message mix ---------------------------------------------------------------------------


def script(turns: int, prefix: str, per_conversation: int = len(MESSAGES)) -> list[tuple[str, str]]:
    """`turns` (sender, message) pairs: conversations of `per_conversation` messages, one after another,
    conversation c's i-th message being bench.py's MESSAGES[(c + i) % len(MESSAGES)]."""
    pairs = []
    for c in range(math.ceil(turns / per_conversation)):
        for i in range(per_conversation):
            pairs.append((f"{prefix}-{c}", MESSAGES[(c + i) % len(MESSAGES)]))
    return pairs[:turns]


def ms(seconds: float) -> float:
    """Seconds as milliseconds."""
    return 1000 * seconds


@dataclass
class Figures:
    """Latencies (seconds) of one kind of call."""

    name: str
    latencies: list[float]

    @property
    def mean(self) -> float:
        """Mean in ms."""
        return ms(statistics.mean(self.latencies)) if self.latencies else float("nan")

    def p(self, q: float) -> float:
        """A percentile in ms (bench.py's nearest rank)."""
        return pct(self.latencies, q) if self.latencies else float("nan")


# -- the profiler ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Frame:
    path: tuple[str, ...]  # the stages from the outermost to this one
    category: str
    started: float
    children: float = 0.0


@dataclass
class _Turn:
    categories: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    nodes: dict[tuple[str, ...], list[float]] = field(default_factory=dict)  # path -> [inclusive s, calls]
    total: float = 0.0


class Profiler:
    """Times nested stages with time.perf_counter, one call at a time (one turn in flight, any thread).

    Each stage's exclusive time (its own, less its timed children) goes to its category, so the
    categories of a turn add up to the turn; each call path's inclusive time and call count go to a tree.
    """

    def __init__(self) -> None:
        self.enabled = False
        self._stack: list[_Frame] = []
        self._turn: _Turn | None = None
        self.turns: list[_Turn] = []
        self._patches: list[tuple[Any, str, Any, bool]] = []
        self.missing: list[str] = []
        self._undo: list[Callable[[], Any]] = []
        self._first_seen: dict[tuple[str, ...], int] = {}

    # recording

    def enter(self, stage: str, category: str) -> None:
        """Start a stage (inside whatever stage is running)."""
        if self.enabled and self._turn is not None:
            path = (*self._stack[-1].path, stage) if self._stack else (stage,)
            self._stack.append(_Frame(path, category, time.perf_counter()))

    def exit(self) -> None:
        """End the innermost stage."""
        if not (self.enabled and self._turn is not None and self._stack):
            return
        ended = time.perf_counter()
        frame = self._stack.pop()
        path = frame.path
        elapsed = ended - frame.started
        if self._stack:
            self._stack[-1].children += elapsed
        else:
            self._turn.total += elapsed
        self._turn.categories[frame.category] += elapsed - frame.children
        node = self._turn.nodes.setdefault(path, [0.0, 0.0])
        node[0] += elapsed
        node[1] += 1
        self._first_seen.setdefault(path, len(self._first_seen))

    @contextlib.contextmanager
    def span(self, stage: str, category: str) -> Iterator[None]:
        """Time a block as a stage."""
        self.enter(stage, category)
        try:
            yield
        finally:
            self.exit()

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Collect one turn (the outermost stage's time is the turn's)."""
        self._turn, self._stack = _Turn(), []
        try:
            yield
        finally:
            self.turns.append(self._turn)
            self._turn = None

    # wrapping

    def timed(self, fn: Callable[..., Any], stage: str, category: str) -> Callable[..., Any]:
        """`fn` timed as a stage (a coroutine function's await is timed, not the call that makes it)."""
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                self.enter(stage, category)
                try:
                    return await fn(*args, **kwargs)
                finally:
                    self.exit()

            return timed_async

        def timed_sync(*args: Any, **kwargs: Any) -> Any:
            self.enter(stage, category)
            try:
                return fn(*args, **kwargs)
            finally:
                self.exit()

        # A class (an ORM model) is called to make rows: no attributes of it are copied onto the wrapper.
        return timed_sync if inspect.isclass(fn) else functools.wraps(fn)(timed_sync)

    def wrap(self, owner: Any, name: str, stage: str, category: str) -> None:
        """Replace `owner.name` (a module's function, a class's method or an instance's bound method)
        by a timed one; `restore()` puts it back. A name that is not there (the code moved) is noted."""
        label = f"{getattr(owner, '__name__', type(owner).__name__)}.{name}"
        if owner is None or not hasattr(owner, name):
            self.missing.append(label)
            return
        own = name in getattr(owner, "__dict__", {})
        original = getattr(owner, name)
        if inspect.isclass(owner):
            original = owner.__dict__.get(name, original)  # the plain function, so it binds as before
        self._patches.append((owner, name, original, own))
        _set(owner, name, self.timed(original, stage, category))

    def replace(self, owner: Any, name: str, value: Any) -> None:
        """Replace `owner.name` (or `owner[name]` for a dict) by any value; `restore()` puts it back."""
        if isinstance(owner, dict):
            self._patches.append((owner, name, owner[name], True))
            owner[name] = value
            return
        self._patches.append((owner, name, getattr(owner, name), name in getattr(owner, "__dict__", {})))
        _set(owner, name, value)

    def on_restore(self, undo: Callable[[], Any]) -> None:
        """Something else for `restore()` to undo."""
        self._undo.append(undo)

    def restore(self) -> None:
        """Undo every wrap, last first."""
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
        for owner, name, original, own in reversed(self._patches):
            if isinstance(owner, dict):
                owner[name] = original
            elif own or inspect.isclass(owner) or inspect.ismodule(owner):
                _set(owner, name, original)
            else:
                object.__delattr__(owner, name)  # an instance's wrapped bound method: the class's comes back
        self._patches.clear()

    # reading

    def per_turn(self, category: str) -> list[float]:
        """A category's exclusive time in each turn (s)."""
        return [t.categories.get(category, 0.0) for t in self.turns]

    def totals(self) -> list[float]:
        """Each turn's time (s): its outermost stages."""
        return [t.total for t in self.turns]

    def tree(self) -> list[tuple[tuple[str, ...], list[float], float]]:
        """Every call path, depth first in the order first met: (path, inclusive s per turn, calls per turn)."""
        paths = sorted(
            self._first_seen, key=lambda p: tuple(self._first_seen.get(p[: i + 1], 0) for i in range(len(p)))
        )
        rows = []
        for path in paths:
            values = [t.nodes.get(path, [0.0, 0.0]) for t in self.turns]
            rows.append((path, [v[0] for v in values], sum(v[1] for v in values) / max(1, len(self.turns))))
        return rows


def _set(owner: Any, name: str, value: Any) -> None:
    """setattr, also on a frozen dataclass (the risk check's pattern set is one)."""
    try:
        setattr(owner, name, value)
    except dataclasses.FrozenInstanceError:
        object.__setattr__(owner, name, value)


class _TimedLock:
    """A lock whose wait is a stage (api/db.py's SQLite writer lock)."""

    def __init__(self, lock: Any, profiler: Profiler, stage: str) -> None:
        self._lock, self._profiler, self._stage = lock, profiler, stage

    def __enter__(self) -> bool:
        with self._profiler.span(self._stage, "database"):
            return bool(self._lock.__enter__())

    def __exit__(self, *exc: object) -> None:
        self._lock.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lock, name)


def _timed_unit_of_work(profiler: Profiler, original: Callable[[], Any]) -> Callable[[], Any]:
    """api.db.unit_of_work with its opening (writer lock, session) and its end (commit, close) as stages;
    the body is not part of either."""

    @contextlib.contextmanager
    def unit_of_work() -> Iterator[Any]:
        manager = original()
        with profiler.span("unit of work: open (writer lock, session)", "database"):
            session = manager.__enter__()
        try:
            yield session
        except BaseException:
            with profiler.span("unit of work: roll back, close", "database"):
                if not manager.__exit__(*sys.exc_info()):
                    raise
        else:
            with profiler.span("unit of work: commit, close", "database"):
                manager.__exit__(None, None, None)

    return unit_of_work


def _sql_kind(statement: str) -> str:
    """A statement's verb, as a stage name: SELECT, INSERT, ..., BEGIN IMMEDIATE."""
    words = statement.split(None, 2)
    if not words:
        return "?"
    return " ".join(words[:2]).upper() if words[0].upper() == "BEGIN" else words[0].upper()


def instrument(profiler: Profiler, engine: Any) -> None:
    """Wrap the stages of a turn of this loaded engine (and the database it writes to)."""
    import sqlalchemy.orm
    from sqlalchemy import event

    import api.db
    import api.engine.core as core
    import api.risk.assess as assess
    from api.content import ContentPack

    w = profiler.wrap
    w(engine, "reply", "Engine.reply", "glue")
    w(engine, "_respond", "_respond", "glue")
    # the risk check
    w(core, "clean_text", "clean_text", "risk")
    w(engine.risk, "assess", "risk.assess", "risk")
    w(engine.risk, "is_ambiguous_in_form", "risk.is_ambiguous_in_form", "risk")
    w(assess, "clean_text", "clean_text", "risk")
    w(assess, "fold", "fold", "risk")
    w(assess, "detect", "language (py3langid)", "risk")
    w(assess, "script_of", "script_of", "risk")
    w(engine.risk.patterns, "hits", "patterns.hits", "risk")
    w(engine.risk, "_other_language", "other languages' phrases", "risk")
    w(engine.risk.classifier, "predict", "risk classifier.predict", "risk")
    _wrap_risk_models(profiler, engine.risk.classifier)
    # understanding
    w(engine, "understand", "understand", "understanding")
    w(engine, "_question", "_question", "understanding")
    w(engine, "classify", "classify", "understanding")
    w(engine, "select", "select", "understanding")
    w(engine, "_questions", "split into questions (each read alone)", "understanding")
    w(core, "questions_in", "questions_in", "understanding")
    w(engine.feelings, "upset", "feelings.upset", "understanding")
    _wrap_intent_models(profiler, engine.classifier)
    w(engine.entities, "extract", "entity extraction", "entities")
    # rules, forms, actions, rendering
    w(engine, "next_messages", "next_messages", "dialogue")
    w(engine, "_answerable", "_answerable", "dialogue")
    dialogue = engine.dialogue
    w(dialogue, "handle", "dialogue.handle", "dialogue")
    w(dialogue, "_rule_for", "rule lookup", "dialogue")
    w(dialogue, "_tracker", "tracker state", "dialogue")
    w(dialogue, "_extract", "slot extraction", "dialogue")
    runner = dialogue.runner
    w(runner, "run", "ActionRunner.run (the thread's loop)", "actions")
    w(runner.executor, "run", "rasa-sdk executor", "actions")
    for name, action in list(runner.executor.actions.items()):
        profiler.replace(runner.executor.actions, name, profiler.timed(action, f"action {name}", "actions"))
    w(ContentPack, "render", "render", "rendering")
    w(core, "risk_replies", "risk_replies", "rendering")
    # the database
    profiler.replace(core, "unit_of_work", _timed_unit_of_work(profiler, core.unit_of_work))
    profiler.replace(api.db, "_sqlite_writer", _TimedLock(api.db._sqlite_writer, profiler, "writer lock (wait)"))
    w(core, "lock_conversation", "lock conversation", "database")
    w(core, "latest_alert", "latest alert", "database")
    w(core, "record_alert", "record alert", "database")
    w(core, "insert", "Turn rows (bulk insert statement)", "database")
    session = sqlalchemy.orm.Session
    w(session, "flush", "flush", "database")
    w(session, "commit", "Session.commit", "database")
    w(session, "close", "Session.close (connection back to the pool)", "database")
    w(session, "_execute_internal", "ORM execute (compile cache, load rows)", "database")
    w(session, "_connection_for_bind", "connection (pool checkout, begin)", "database")
    db = api.db.get_engine()

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        profiler.enter(f"SQL {_sql_kind(statement)}", "database")

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        profiler.exit()

    def failed(context: Any) -> None:
        profiler.exit()

    for name, listener in (
        ("before_cursor_execute", before),
        ("after_cursor_execute", after),
        ("handle_error", failed),
    ):
        event.listen(db, name, listener)
        profiler.on_restore(functools.partial(event.remove, db, name, listener))


def _wrap_risk_models(profiler: Profiler, classifier: Any) -> None:
    """The risk check's kind and level models (api/nlp/linear.py's TextModel, read directly)."""
    _wrap_text_model(profiler, classifier.kind_model, "kind model", "risk")
    _wrap_text_model(profiler, classifier.level_model, "level model", "risk")


def _wrap_intent_models(profiler: Profiler, classifier: Any) -> None:
    """The intent model and the response selectors (TextModel and Linear, read directly)."""
    w = profiler.wrap
    w(classifier, "rank", "intent model rank", "understanding")
    w(classifier, "select", "response selector", "understanding")
    _wrap_text_model(profiler, classifier.model, None, "understanding")
    for selector in classifier.selectors.values():
        w(selector, "proba", "selector logistic regression", "understanding")


def _wrap_text_model(profiler: Profiler, model: Any, stage: str | None, category: str) -> None:
    """A TextModel (api/nlp/linear.py): the whole call (as `stage`), the features, each TF-IDF part and its
    analyzer (normalising and n-grams, in Python), and the regression."""
    w = profiler.wrap
    if stage:
        w(model, "proba", stage, category)
    w(model, "row", "features (TF-IDF row)", category)
    for name, part in zip(model.features.names, model.features.parts, strict=True):
        w(part, "row", f"{name} TF-IDF", category)
        w(part, "analyze", "analyzer (normalise, n-grams)", category)
    w(model.linear, "proba", "logistic regression", category)


# -- in-process --------------------------------------------------------------------------------


def load_engine_as_the_app_does(data_dir: Path) -> Any:
    """The engine of api/main.py's lifespan, on SQLite in `data_dir` (migrations first, as the app runs
    them; the models are trained, or loaded from data_dir's cache)."""
    os.environ["CARING_DATA_DIR"] = str(data_dir)
    os.environ.pop("CARING_DATABASE_URL", None)
    from api.config import get_settings
    from api.db import get_engine
    from api.main import load_engine, prepare_database

    get_settings.cache_clear()
    get_engine.cache_clear()
    settings = get_settings()
    prepare_database(settings)
    return load_engine(settings)


def run_turns(engine: Any, pairs: list[tuple[str, str]], profiler: Profiler | None = None) -> list[float]:
    """Each message through Engine.reply, in order; the time of each (s)."""
    latencies = []
    for sender, message in pairs:
        started = time.perf_counter()
        if profiler is None:
            engine.reply(sender, message, "web")
        else:
            with profiler.turn():
                engine.reply(sender, message, "web")
        latencies.append(time.perf_counter() - started)
    return latencies


async def asgi_turns(engine: Any, pairs: list[tuple[str, str]]) -> tuple[list[float], list[float]]:
    """Each message through the FastAPI app in-process (middleware, validation, thread pool; no socket),
    then as many `GET /health`: the time of each (s)."""
    from api.main import create_app

    app = create_app()
    app.state.engine = engine  # what the lifespan would set
    webhook, health = [], []
    transport = httpx.ASGITransport(app=app)  # the client is 127.0.0.1: exempt from rate limits, as on a server
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for sender, message in script(10, "profile-asgi-warmup"):  # the app's first-call costs
            (await client.post(WEBHOOK, json={"sender": sender, "message": message})).raise_for_status()
        for sender, message in pairs:
            started = time.perf_counter()
            response = await client.post(WEBHOOK, json={"sender": sender, "message": message})
            webhook.append(time.perf_counter() - started)
            response.raise_for_status()
        for _ in pairs:
            started = time.perf_counter()
            response = await client.get("/health")
            health.append(time.perf_counter() - started)
            response.raise_for_status()
    return webhook, health


@dataclass
class InProcess:
    """What the in-process run measured."""

    reply: Figures  # unprofiled Engine.reply
    asgi: Figures
    asgi_health: Figures
    profiler: Profiler
    turns: int


def profile_in_process(data_dir: Path, turns: int, warmup: int = 20) -> InProcess:
    """Load the engine, warm it up, then: Engine.reply unprofiled, through the ASGI app, and profiled."""
    engine = load_engine_as_the_app_does(data_dir)
    run_turns(engine, script(warmup, "profile-warmup"))
    reply = Figures("Engine.reply", run_turns(engine, script(turns, "profile-plain")))
    webhook, health = asyncio.run(asgi_turns(engine, script(turns, "profile-asgi")))
    profiler = Profiler()
    instrument(profiler, engine)
    try:
        profiler.enabled = True
        run_turns(engine, script(turns, "profile-staged"), profiler)
    finally:
        profiler.enabled = False
        profiler.restore()
    return InProcess(reply, Figures("ASGI app", webhook), Figures("ASGI /health", health), profiler, turns)


# -- over HTTP ---------------------------------------------------------------------------------


@dataclass
class OverHttp:
    """Sequential round trips to a running server."""

    webhook: Figures
    health: Figures


async def http_figures(url: str, turns: int, health_calls: int) -> OverHttp:
    """The message mix one at a time over HTTP, then `GET /health` one at a time (one kept-alive connection)."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for _ in range(10):  # the connection and the server's first-call costs
            (await client.get("/health")).raise_for_status()
        webhook = []
        for sender, message in script(turns, "profile-http"):
            started = time.perf_counter()
            response = await client.post(WEBHOOK, json={"sender": sender, "message": message})
            webhook.append(time.perf_counter() - started)
            response.raise_for_status()
        health = []
        for _ in range(health_calls):
            started = time.perf_counter()
            response = await client.get("/health")
            health.append(time.perf_counter() - started)
            response.raise_for_status()
    return OverHttp(Figures("POST webhook", webhook), Figures("GET /health", health))


# -- the report --------------------------------------------------------------------------------


def _row(name: str, values_ms: list[float], whole: float, calls: float | None = None, width: int = 52) -> str:
    """One table row: mean, p50 and p99 of per-turn values (ms), and the mean's share of `whole`."""
    ordered = sorted(values_ms)
    mean = statistics.mean(ordered) if ordered else float("nan")

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    share = f"{100 * mean / whole:5.1f}%" if whole else ""
    counted = f" {calls:6.2f}" if calls is not None else ""
    return f"{name[:width]:<{width}}{counted} {mean:8.3f} {at(0.5):8.3f} {at(0.99):8.3f} {share:>7}"


def report(result: InProcess, http: OverHttp | None = None, detail_floor: float = 0.005) -> list[str]:
    """The tables: HTTP vs in-process; the turn by stage (adds up to the turn); the call tree."""
    profiler = result.profiler
    header = f"{'stage':<52} {'mean ms':>8} {'p50 ms':>8} {'p99 ms':>8} {'share':>7}"
    lines = [
        f"stage profile of a turn: {result.turns} messages of bench.py's mix, one conversation at a time "
        "(the engine loaded as the app loads it, SQLite)",
        header,
    ]
    base = http.webhook.mean if http else result.asgi.mean
    if http:
        lines.append(
            _row("POST /webhooks/rest/webhook, HTTP round trip", [ms(v) for v in http.webhook.latencies], base)
        )
    lines.append(_row("  ASGI app in-process (no socket, no uvicorn)", [ms(v) for v in result.asgi.latencies], base))
    lines.append(_row("    Engine.reply in-process (not instrumented)", [ms(v) for v in result.reply.latencies], base))
    if http:
        lines.append(_row("GET /health, HTTP round trip", [ms(v) for v in http.health.latencies], base))
    lines.append(_row("  GET /health, ASGI app in-process", [ms(v) for v in result.asgi_health.latencies], base))
    lines.append(
        f"(shares: of the {'HTTP round trip' if http else 'ASGI call'}. HTTP - ASGI = uvicorn, the socket, the "
        "client process, access logs; ASGI - reply = FastAPI, middleware, validation, thread-pool hops "
        "(1 for each: the webhook's turn with its rate counters, /health's route), httpx's ASGI client)"
    )
    if http:
        ratio = http.webhook.p(0.5) / http.health.p(0.5)
        lines.append(
            f"turn p50 / health p50 = {http.webhook.p(0.5):.2f} / {http.health.p(0.5):.2f} ms = {ratio:.1f}x "
            f"(target within 3x: {'met' if ratio <= 3 else 'NOT met'})"
        )
    totals = [ms(v) for v in profiler.totals()]
    whole = statistics.mean(totals)
    lines += ["", "Engine.reply by stage (each stage's own time, so they add up; shares of the instrumented turn)"]
    lines.append(header)
    for category, label in CATEGORIES.items():
        lines.append(_row(label, [ms(v) for v in profiler.per_turn(category)], whole))
    lines.append(_row("instrumented Engine.reply", totals, whole))
    lines.append(
        f"(the timers add {whole - result.reply.mean:.2f} ms a turn: {whole:.2f} ms against "
        f"{result.reply.mean:.2f} ms not instrumented, most of it to the stages with many timed calls)"
    )
    lines += ["", f"call tree (inclusive time per turn; calls per turn; rows under {detail_floor} ms left out)"]
    lines.append(f"{'stage':<60} {'calls':>6} {'mean ms':>8} {'p50 ms':>8} {'p99 ms':>8} {'share':>7}")
    for path, values, calls in profiler.tree():
        if ms(statistics.mean(values)) < detail_floor and len(path) > 1:
            continue
        name = "  " * (len(path) - 1) + path[-1]
        lines.append(_row(name, [ms(v) for v in values], whole, calls=calls, width=60))
    if profiler.missing:
        lines.append("not found, so not timed (moved in the app?): " + ", ".join(profiler.missing))
    return lines


def main() -> None:
    """Start a server in a scratch data dir (it trains and caches the models), time HTTP, stop it, profile."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=300, help="messages profiled (and sent over HTTP)")
    ap.add_argument("--health", type=int, default=300, help="GET /health calls")
    ap.add_argument("--no-server", action="store_true", help="in-process figures only (no HTTP server)")
    ap.add_argument("--data-dir", type=Path, help="a data dir to use (its cached models too); default: a scratch one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="caring-profile-") as scratch:
        data_dir = args.data_dir or Path(scratch)
        http = None
        if not args.no_server:
            port = free_port()
            proc, seconds = start_server(str(data_dir), port)
            print(f"server up in {seconds:.1f} s", flush=True)
            try:
                http = asyncio.run(http_figures(f"http://127.0.0.1:{port}", args.turns, args.health))
            finally:
                stop_server(proc)
        result = profile_in_process(data_dir, args.turns)
        print("\n".join(report(result, http)))


if __name__ == "__main__":
    os.chdir(ROOT)  # content/, bot/ and the migrations are found from the project's root
    main()
