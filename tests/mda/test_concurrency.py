"""A meeting's worth of people writing at once, against a real gunicorn (gthread, its production
config) on PostgreSQL: 16 API clients for MDA_CONCURRENCY_SECONDS (default 30) refer cases, move
them, add participants, notes and agreements, resolve agreements, change the agenda and read case
pages and lists, while a sealer chains the audit trail as beat's task would.

Afterwards: no 5xx, no deadlock (nor a retried one) in the server's log, the chain verifies, and
every successful audited request left exactly one audit event (matched by the User-Agent each
request carries), no other request any. PostgreSQL only (SQLite has one writer); in CI
(MDA_REQUIRE_SERVICES=1) the suite runs on PostgreSQL, so this never skips there.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections

from mda.audit import audit_seal_all
from mda.audit_verify import audit_verify
from mda.models import AuditEvent
from mda.services import api_token_issue
from scheduling.services import meetings
from tests.conftest import REQUIRE_SERVICES, Cast
from tests.scheduling.meetings_support import make_case, make_series
from tests.support.worker import stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

SECONDS = float(os.environ.get("MDA_CONCURRENCY_SECONDS", "30"))
CLIENTS = 16
RECONNECTS = 3  # sending again on a fresh connection, see Client.call
LEVELS = {"police": 2, "ggz": 2, "local_team": 2}
# Request kinds whose success is recorded in the audit trail (one event per request).
AUDITED = {
    "refer",
    "transition",
    "participation",
    "agreement",
    "resolve",
    "agenda_add",
    "agenda_remove",
    "note",
    "case_page",
}


@dataclass
class Server:
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(transactional_db: None, tmp_path: Path) -> Iterator[Server]:
    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("MDA_REQUIRE_SERVICES is set: the concurrency test needs PostgreSQL")
        pytest.skip("concurrent writers need PostgreSQL (SQLite has one writer)")
    port, log_path = _free_port(), tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "MDA_TEST_DB_NAME": str(connection.settings_dict["NAME"]),
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "8",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "config.wsgi"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    built = Server(port, log_path, process)
    try:
        _wait_until_up(built)
        yield built
    finally:
        stop(process)


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.process.returncode}:\n{server.log()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)  # waiting for another process to listen, not on the clock
    pytest.fail(f"gunicorn did not answer within 60 s:\n{server.log()}")


@dataclass
class Sent:
    kind: str
    status: int
    agent: str
    seconds: float


@dataclass
class Client:
    """One person at a keyboard: a persona's token, its own connection, what it sent."""

    name: str
    port: int
    token: str
    sent: list[Sent] = field(default_factory=list)
    counter: int = 0
    prefix: str = "conc"

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def call(self, kind: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        self.counter += 1
        agent = f"{self.prefix}-{self.name}-{self.counter}"
        headers = {"Authorization": f"Bearer {self.token}", "User-Agent": agent}
        payload = None
        if body is not None:
            payload, headers["Content-Type"] = json.dumps(body), "application/json"
        started = time.perf_counter()
        for attempt in range(RECONNECTS + 1):
            try:
                response = self._send(method, f"/api/v1/{path}", payload, headers)
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                # gunicorn recycles a worker (max_requests) and closes its idle keep-alive
                # connections: the request never reached a view. A browser sends it again too.
                # Both workers may recycle at about the same time, so a new connection can meet
                # the second one closing. Sent again with the same User-Agent: had a view run
                # twice, the trail would show two events for it and the test would fail.
                if attempt == RECONNECTS:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                time.sleep(0.05 * (attempt + 1))
        self.sent.append(Sent(kind, response.status, agent, time.perf_counter() - started))
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, None

    def _send(
        self, method: str, path: str, payload: str | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        self.conn.request(method, path, body=payload, headers=headers)
        return self.conn.getresponse()


@dataclass
class World:
    cast: Cast
    cases: list[str]
    meeting: str
    tokens: dict[str, str]

    def org(self, key: str) -> str:
        return str(self.cast.orgs[key].uuid)


def _world(cast: Cast) -> World:
    cases = [str(make_case(cast, f"MDA-2025-09{i:02d}", LEVELS).pk) for i in range(8)]
    series = make_series(cast, starts_on=date.today() - timedelta(days=7))
    planned = meetings.meetings_generate(series=series)
    tokens = {
        name: api_token_issue(user=cast.personas[name].user, name="load")[1]
        for name in ("coordinator", "police", "care", "social")
    }
    return World(cast, cases, str(planned[0].pk), tokens)


def _referral(world: World) -> dict[str, Any]:
    return {
        "reason": "Repeated violence at home",
        "goal": "One plan for the family",
        "criteria": ["structural_unsafety", "several_life_domains"],
        "family_informed": True,
        "members": [{"role": "victim", "label": "moeder"}, {"role": "child", "label": "kind 1"}],
        "partners_involved": [world.org("ggz")],
    }


def _coordinator_round(client: Client, world: World, rng: random.Random) -> None:
    status, body = client.call("refer", "POST", "cases/", _referral(world))
    if status == 201 and body:
        new = body["id"]
        client.call("transition", "POST", f"cases/{new}/transitions/", {"transition": "accept"})
        client.call(
            "participation",
            "POST",
            f"cases/{new}/participants/",
            {
                "organisation": world.org("police"),
                "level": 2,
                "legal_basis": "convenant",
                "purpose": "Safety plan",
                "necessity": "Police information is needed",
            },
        )
    case = rng.choice(world.cases)
    due = (date.today() + timedelta(days=rng.randint(7, 40))).isoformat()
    agreement = {"description": "Arrange help", "owner_organisation": world.org("local_team")}
    client.call("agreement", "POST", f"cases/{case}/agreements/", {**agreement, "due_date": due})
    status, body = client.call(
        "agenda_add", "POST", f"meetings/{world.meeting}/items/", {"case": case}
    )
    items = [i["id"] for i in (body or {}).get("items", []) if i["case"] == case]
    if status == 201 and items:
        client.call("agenda_remove", "DELETE", f"meetings/{world.meeting}/items/{items[0]}/")
    client.call("case_page", "GET", f"cases/{case}/")
    client.call("case_list", "GET", "cases/")


def _professional_round(client: Client, world: World, rng: random.Random) -> None:
    case = rng.choice(world.cases)
    client.call("case_page", "GET", f"cases/{case}/")
    client.call("note", "POST", f"cases/{case}/notes/", {"body": "Spoke with the school"})
    client.call("case_list", "GET", "cases/")
    if client.name.startswith("social"):
        status, body = client.call("agreement_list", "GET", "agreements/?mine=1&status=open")
        open_ones = [a["id"] for a in (body or {}).get("results", []) if a["status"] == "open"]
        if status == 200 and open_ones:
            client.call(
                "resolve",
                "POST",
                f"agreements/{rng.choice(open_ones)}/resolve/",
                {"status": "done"},
            )


def _open_agreements(world: World, port: int) -> None:
    """Work for the owners from the start: agreements of the local team on every case."""
    client = Client("setup", port, world.tokens["coordinator"], prefix="setup")
    due = (date.today() + timedelta(days=21)).isoformat()
    body = {"description": "Arrange help", "owner_organisation": world.org("local_team")}
    for case in world.cases * 2:
        status, _ = client.call(
            "agreement", "POST", f"cases/{case}/agreements/", {**body, "due_date": due}
        )
        assert status == 201


def _run_clients(world: World, port: int, until: float) -> list[Client]:
    roles = ["coordinator"] * 4 + ["police"] * 4 + ["care"] * 4 + ["social"] * 4
    clients = [Client(f"{r}{i}", port, world.tokens[r]) for i, r in enumerate(roles)]
    failures: list[BaseException] = []

    def run(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        round_of = _coordinator_round if client.name.startswith("coord") else _professional_round
        try:
            while time.monotonic() < until:
                round_of(client, world, rng)
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(c, i)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
    assert failures == []
    return clients


def _seal_until(stopped: threading.Event) -> threading.Thread:
    """What beat's task does every few seconds, here every half second until *stopped*."""

    def run() -> None:
        try:
            while not stopped.wait(0.5):
                audit_seal_all()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _figures(sent: list[Sent]) -> str:
    kinds = Counter(s.kind for s in sent)
    latencies = sorted(s.seconds for s in sent)
    p95 = latencies[int(len(latencies) * 0.95)] if latencies else 0.0
    median = statistics.median(latencies) if latencies else 0.0
    return (
        f"{len(sent)} requests by {CLIENTS} clients in {SECONDS:.0f} s "
        f"({len(sent) / SECONDS:.0f}/s), median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    )


def test_sixteen_clients_at_once_get_no_errors_and_leave_an_intact_trail(
    cast: Cast, server: Server
) -> None:
    world = _world(cast)
    _open_agreements(world, server.port)
    stopped = threading.Event()
    sealer = _seal_until(stopped)
    try:
        clients = _run_clients(world, server.port, time.monotonic() + SECONDS)
    finally:
        stopped.set()
        sealer.join(timeout=60)
    sent = [s for c in clients for s in c.sent]
    print(_figures(sent))  # shown with -s; the figures go into the closing note

    server_errors = Counter((s.kind, s.status) for s in sent if s.status >= 500)
    assert not server_errors, f"{server_errors}\n{server.log()[-5000:]}"
    log = server.log()
    # A request sent again after a reset (Client.call) never hides a worker that died: gunicorn
    # logs a timeout, a kill or a crash, and any of them fails the test.
    crashes = ("WORKER TIMEOUT", "terminated due to signal", "exited with code")
    for sign in ("deadlock detected", "40P01", "40001", "Traceback", *crashes):
        assert sign not in log, log[-5000:]
    ok = Counter(s.kind for s in sent if 200 <= s.status < 300)
    assert all(ok[kind] > 0 for kind in AUDITED), ok  # every kind really happened

    audit_seal_all()
    result = audit_verify()
    assert (result.ok, result.pending) == (True, 0), result.problem
    agents = list(
        AuditEvent.objects.filter(user_agent__startswith="conc-").values_list(
            "user_agent", flat=True
        )
    )
    expected = {s.agent for s in sent if s.kind in AUDITED and 200 <= s.status < 300}
    twice = [agent for agent, count in Counter(agents).items() if count > 1]
    doubled = AuditEvent.objects.filter(user_agent__in=twice).values_list(
        "user_agent", "username", "action", "object_type", "detail"
    )
    assert not twice, f"requests that left more than one audit event: {list(doubled)}"
    assert set(agents) == expected
