"""Test data built once and shared by the tests that follow, each test still seeing a clean world.

Building a world (the personas, a case with its participations and notes, a meeting with its
agenda) costs far more than the few requests a row of a persona table makes against it. A *layer*
is a fixture whose data is built once and kept while the following tests ask for it, the way
``django.test.TestCase`` keeps what ``setUpTestData`` made:

- each layer is built in a savepoint of its own; every test runs in a savepoint on top of them
  (pytest-django's ``db``) that is rolled back after it, so a test that writes leaves the layers
  exactly as they were built;
- every test gets its own deep copy of the layers' Python objects, so changing an instance, or a
  value Django caches on it, does not reach the next test (unpickled from a pickle made once per
  state of the stack, several times faster than ``copy.deepcopy`` on model instances);
- e-mails sent while a layer was built are in ``mail.outbox`` at the start of every test that
  uses it, as if the test had built the layer itself.

The layers form a stack of savepoints. Before a test the missing layers it uses are built on top
(dependencies first, in a fixed order); after it, the stack is cut back to what the next test
uses, so no test ever sees data of a layer it did not ask for. A test that cannot run inside a
shared transaction (``transactional_db``, ``live_server``, a ``django_db`` marker, whose
transaction pytest-django opens before this module can act) gets the layers built for it alone,
as plain fixtures.

Layers are built before the test's other fixtures run: a layer that needs a frozen clock travels
itself (and a plain fixture on top freezes the clock again for each test).
"""

from __future__ import annotations

import copy
import inspect
import io
import pickle
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core import mail
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.utils.functional import Promise

# A data key keeps the cipher it unwrapped to on its instance (mda.crypto); a cipher cannot be
# copied, and need not be: it holds no state a test could change, so the copies share it.
copy._deepcopy_dispatch[AESGCM] = copy._deepcopy_atomic  # type: ignore[attr-defined]

TRANSACTIONAL_FIXTURES = frozenset(
    {
        "transactional_db",
        "live_server",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)


@dataclass(frozen=True, eq=False)
class Layer:
    name: str
    build: Callable[..., Any]
    needs: tuple[str, ...]  # fixture names of the layers it is built on


# The fixture function pytest registers for a layer -> the layer.
_LAYERS: dict[Callable[..., Any], Layer] = {}


def layer(build: Callable[..., Any]) -> Any:
    """Declare *build* a layer fixture of the same name.

    Its parameters name the layers it is built on (other layer fixtures, never function-scoped
    ones such as ``settings`` or ``time_machine``); it receives their data and returns its own.
    """
    spec = Layer(name=build.__name__, build=build, needs=tuple(inspect.signature(build).parameters))

    def fixture(_shared_layers: TestLayers, db: None, **needs: Any) -> Any:
        return _shared_layers.value(spec, needs)

    parameters = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for name in ("_shared_layers", "db", *spec.needs)
    ]
    fixture.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    fixture.__name__ = build.__name__
    fixture.__doc__ = build.__doc__
    _LAYERS[fixture] = spec
    return pytest.fixture(name=build.__name__)(fixture)


# --- which layers a test uses ---------------------------------------------------------------------

Plan = tuple[tuple[Layer, tuple[Layer, ...]], ...]  # (layer, the layers its needs resolve to)


def _layer_of(item: pytest.Function, name: str) -> Layer | None:
    definitions = item._fixtureinfo.name2fixturedefs.get(name)
    return _LAYERS.get(definitions[-1].func) if definitions else None


def can_share(item: pytest.Function) -> bool:
    """Whether *item* can run in a savepoint on top of the layers (not when its transaction is
    opened before the layers are built, or when it needs committed data)."""
    if TRANSACTIONAL_FIXTURES & set(item.fixturenames):
        return False
    return item.get_closest_marker("django_db") is None


def plan_of(item: pytest.Item | None) -> Plan:
    """The layers *item* uses, dependencies first; empty when it cannot share them."""
    if not isinstance(item, pytest.Function) or not can_share(item):
        return ()
    used = [lay for name in item.fixturenames if (lay := _layer_of(item, name)) is not None]
    order = {lay: n for n, lay in enumerate(_LAYERS.values())}
    plan: list[tuple[Layer, tuple[Layer, ...]]] = []

    def visit(lay: Layer, path: tuple[Layer, ...]) -> None:
        if any(done is lay for done, _needs in plan):
            return
        if lay in path:
            raise pytest.UsageError(f"layer {lay.name!r} is built on itself")
        needs = []
        for name in lay.needs:
            need = _layer_of(item, name)
            if need is None:
                raise pytest.UsageError(
                    f"layer {lay.name!r} needs {name!r}, which is not a layer: a layer is built "
                    "once, so it can only be built on other layers"
                )
            visit(need, (*path, lay))
            needs.append(need)
        plan.append((lay, tuple(needs)))

    for lay in sorted(used, key=order.__getitem__):
        visit(lay, ())
    return tuple(plan)


# --- the stack of savepoints ------------------------------------------------------------------


@dataclass(eq=False)
class _Built:
    layer: Layer
    needs: tuple[Layer, ...]
    value: Any
    atomic: Any
    mails: list[Any]
    below: list[Any]  # the data of the layers below as it was before this one was built


class _Unpicklable(Exception):
    pass


class _Pickler(pickle.Pickler):
    """Pickles the layers' data once, for a fast copy per test (``pickle.loads`` is C, where
    ``copy.deepcopy`` walks every object in Python): ciphers go by reference, as with deepcopy
    above, and so do lazy translations (immutable; unpickling one makes a class anew); an
    unevaluated queryset refuses, since pickling would run its query."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared: list[Any] = []

    def persistent_id(self, obj: Any) -> int | None:
        if isinstance(obj, AESGCM | Promise):
            self.shared.append(obj)
            return len(self.shared) - 1
        if isinstance(obj, QuerySet) and obj._result_cache is None:
            raise _Unpicklable
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, shared: list[Any]) -> None:
        super().__init__(io.BytesIO(data))
        self.shared = shared

    def persistent_load(self, pid: Any) -> Any:
        return self.shared[pid]


@dataclass(frozen=True)
class _Frozen:
    data: bytes
    shared: list[Any]

    @classmethod
    def of(cls, value: Any) -> _Frozen | None:
        """*value* pickled, or None when it cannot be (a copy is then made the slow way)."""
        file = io.BytesIO()
        pickler = _Pickler(file)
        try:
            pickler.dump(value)
        except (_Unpicklable, pickle.PicklingError, TypeError, AttributeError):
            return None
        return cls(file.getvalue(), pickler.shared)

    def copy(self) -> Any:
        return _Unpickler(self.data, self.shared).load()


def _same(a: list[tuple[_Built, Any]], b: list[tuple[_Built, Any]]) -> bool:
    return len(a) == len(b) and all(x is y and v is w for (x, v), (y, w) in zip(a, b, strict=True))


@dataclass(eq=False)
class Stack:
    built: list[_Built] = field(default_factory=list)
    blocker: Any = None
    # The layers' data frozen for copying, made at the first test after the stack or a value on
    # it changed: ((layer, value) pairs it was made of, kept alive so that `is` compares them;
    # the frozen data, or None when it cannot be pickled).
    frozen: tuple[list[tuple[_Built, Any]], _Frozen | None] | None = None

    def _depth_ok(self) -> bool:
        blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
        return len(blocks) == len(self.built)

    def cut(self, keep: int) -> None:
        """Roll back the layers above the first *keep*."""
        if len(self.built) <= keep:
            return
        with self.blocker.unblock():
            if not self._depth_ok():
                raise RuntimeError("a transaction is open above the shared layers")
            while len(self.built) > keep:
                top = self.built.pop()
                transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
                top.atomic.__exit__(None, None, None)
                # Building it may have changed the objects below (values Django caches on them).
                for built, value in zip(self.built, top.below, strict=True):
                    built.value = value

    def cut_to(self, plan: Plan) -> None:
        """Keep only the bottom layers that *plan* starts with."""
        keep = 0
        for built, (lay, needs) in zip(self.built, plan, strict=False):
            if built.layer is not lay or built.needs != needs:
                break
            keep += 1
        self.cut(keep)

    def extend(self, plan: Plan) -> None:
        """Build the layers of *plan* that are not on the stack yet (it must be a prefix)."""
        with self.blocker.unblock():
            if not self._depth_ok():
                raise RuntimeError(
                    "a transaction is open above the shared layers: the test's own transaction "
                    "was opened before them"
                )
            for lay, needs in plan[len(self.built) :]:
                values = {
                    name: self.master(need) for name, need in zip(lay.needs, needs, strict=True)
                }
                self.built.append(self._build(lay, needs, values))

    def _build(self, lay: Layer, needs: tuple[Layer, ...], values: dict[str, Any]) -> _Built:
        below = copy.deepcopy([built.value for built in self.built])
        atomic = transaction.atomic(using=DEFAULT_DB_ALIAS)
        atomic._from_testcase = True  # type: ignore[attr-defined]  # as TestCase's: durable works
        atomic.__enter__()
        before = len(mail.outbox)
        try:
            value = lay.build(**values)
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            for built, old in zip(self.built, below, strict=True):
                built.value = old
            raise
        return _Built(lay, needs, value, atomic, copy.deepcopy(mail.outbox[before:]), below)

    def master(self, lay: Layer) -> Any:
        for built in self.built:
            if built.layer is lay:
                return built.value
        raise KeyError(lay.name)

    def copies(self) -> dict[Layer, Any]:
        """A deep copy of every layer's data for one test (one copy of all: shared objects stay
        shared), unpickled from the frozen data while the stack and its values are unchanged."""
        masters = [built.value for built in self.built]
        made_of = [(built, built.value) for built in self.built]
        if self.frozen is None or not _same(self.frozen[0], made_of):
            self.frozen = (made_of, _Frozen.of(masters))
        frozen = self.frozen[1]
        values = frozen.copy() if frozen is not None else copy.deepcopy(masters)
        return dict(zip([b.layer for b in self.built], values, strict=True))

    def mails(self) -> list[Any]:
        return copy.deepcopy([message for built in self.built for message in built.mails])


STACK = Stack()


@dataclass
class TestLayers:
    """The layers of one test: copies of the shared data, or built for this test alone."""

    shared: dict[Layer, Any] | None
    mails: list[Any] = field(default_factory=list)
    own: dict[Layer, Any] = field(default_factory=dict)

    def value(self, lay: Layer, needs: dict[str, Any]) -> Any:
        if self.shared is not None:
            # Only now: the test's transaction (TestCase._pre_setup) empties the outbox.
            mail.outbox[0:0] = self.mails
            self.mails = []
            return self.shared[lay]
        if lay not in self.own:
            self.own[lay] = lay.build(**needs)
        return self.own[lay]


def for_test(request: pytest.FixtureRequest) -> TestLayers:
    """Bring the stack to the layers this test uses and give it copies of their data."""
    plan = plan_of(request.node)
    if not plan:
        return TestLayers(shared=None)
    request.getfixturevalue("_layer_stack")
    STACK.cut_to(plan)
    STACK.extend(plan)
    return TestLayers(shared=STACK.copies(), mails=STACK.mails())


def stack_for_session(blocker: Any) -> Iterator[Stack]:
    STACK.blocker = blocker
    yield STACK
    STACK.cut(0)


def after_test(nextitem: pytest.Item | None) -> None:
    """Roll back the layers the next test does not use, before its own fixtures run."""
    if STACK.built:
        STACK.cut_to(plan_of(nextitem))
