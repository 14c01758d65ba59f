"""Deliberately broken variants of the reference server, one wrong behaviour each, and the
clause each one breaks with the words its failure must contain.

A variant is a function that patches the reference server's modules before the app is built
and may return a wrapper for the finished ASGI app. It is registered with ``breaks``: the
clause it must fail, the fragments that clause's failure message must contain (so a variant
fails for the reason it declares, not because it broke something else), and, for faults only
generated cases find, the example budget they need. One function may break several clauses.

Run one with ``python -m tests.variants NAME --port P --db PATH``; ``tests/test_variants.py``
runs every registration against the suite.
"""

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

VARIANTS_DIR = Path(__file__).resolve().parent


def profile_modules() -> list[str]:
    """The variants module of each installed profile (``tests/variants/<package>.py``, named
    after the profile's package), found from the list of profiles."""
    from conformance.plugin import installed_packages

    names = [package.rpartition(".")[2] for package in installed_packages().values()]
    return [f"tests.variants.{name}" for name in names if (VARIANTS_DIR / f"{name}.py").exists()]


@dataclass(frozen=True)
class Variant:
    name: str
    profile: str
    clause: str
    reasons: tuple[str, ...]  # every one appears in the clause's failure message
    build: Callable
    examples: int | None = None  # generated tests: the --blocks-examples budget to find it
    only: str | None = None  # a -k expression narrowing the clause's tests (to save time)
    # suite options the clause's tests need, each with the environment variable that gives
    # its value in the project's own tests (CI sets them)
    needs: tuple[tuple[str, str], ...] = ()
    options: tuple[str, ...] = ()  # more suite options (the release the run names, say)

    @property
    def summary(self) -> str:
        return " ".join((self.build.__doc__ or "").split())

    @property
    def test_id(self) -> str:
        return f"{self.clause}:{self.name}"


VARIANTS: list[Variant] = []
# A profile's extra suite options for our own runs against its reference server, beside the
# ones the profile names (its test hooks): a profile's variants module may set them.
SUITE_ARGS: dict[str, list[str]] = {}


def suite_args(profile: str, url: str) -> list[str]:
    """The options a run of ours against a (variant) reference server of ``profile`` at
    ``url`` takes."""
    from conformance import profiles

    return [*profiles.get(profile).server.reference_options(url), *SUITE_ARGS.get(profile, [])]


def breaks(
    profile: str,
    clause: str,
    *reasons: str,
    examples: int | None = None,
    only: str | None = None,
    needs: tuple[tuple[str, str], ...] = (),
    options: tuple[str, ...] = (),
) -> Callable:
    """Register the decorated variant as failing ``clause`` with a message containing every
    one of ``reasons``; ``needs``: (suite option, environment variable giving its value);
    ``options``: more suite options of its run."""
    if not reasons:
        raise ValueError(f"a variant of {clause} must declare the words of its failure")

    def register(build: Callable) -> Callable:
        VARIANTS.append(
            Variant(build.__name__, profile, clause, reasons, build, examples, only, needs, options)
        )
        return build

    return register


@dataclass(frozen=True)
class AllowedVariant:
    """The mirror image of a broken variant: a server that takes another reading the documents
    (or a ground-truth real release) allow, quoted in ``reason``, of the clauses ``clauses``.
    It must pass the whole suite: every MUST clause, and every SHOULD clause but those in
    ``fails`` (SHOULD clauses that ask for the one answer it chose otherwise), which it must
    fail, and those in ``may_fail``, which it fails unless timing spares it (a second boundary
    between two writes, a generated case that does not meet the reading)."""

    name: str
    profile: str
    clauses: tuple[str, ...]
    reason: str
    build: Callable
    fails: tuple[str, ...] = ()
    needs: tuple[tuple[str, str], ...] = ()
    may_fail: tuple[str, ...] = ()
    # a --blocks-clause pattern: the reading only matters to these clauses, and the run (with a
    # larger budget of generated cases) is limited to them
    scope: str | None = None
    options: tuple[str, ...] = ()  # more suite options of its run (the UI it is seen in)

    @property
    def summary(self) -> str:
        return " ".join((self.build.__doc__ or "").split())


ALLOWED: list[AllowedVariant] = []


def allowed(
    profile: str,
    *clauses: str,
    reason: str,
    fails: tuple[str, ...] = (),
    needs: tuple[tuple[str, str], ...] = (),
    scope: str | None = None,
    may_fail: tuple[str, ...] = (),
    options: tuple[str, ...] = (),
) -> Callable:
    """Register the decorated variant as taking a reading of ``clauses`` that ``reason`` (the
    documents' words) allows; it must pass the whole suite (or the clauses ``scope`` names)
    but the SHOULD clauses in ``fails`` (and, as timing has it, those in ``may_fail``);
    ``options``: more suite options of its run."""
    if not clauses or not reason:
        raise ValueError("an allowed variant names its clauses and the words that allow it")

    def register(build: Callable) -> Callable:
        variant = AllowedVariant(
            build.__name__, profile, clauses, reason, build, fails, needs, may_fail, scope, options
        )
        ALLOWED.append(variant)
        return build

    return register


# The classic mistakes implementers make, per profile: a broken variant's name -> the mistake
# in a few words (docs/variants.md lists them as the profile's deviation catalogue).
CLASSIC: dict[str, dict[str, str]] = {}


def classic_mistakes(profile: str, mistakes: dict[str, str]) -> None:
    """Name broken variants of ``profile`` as classic implementer mistakes."""
    CLASSIC.setdefault(profile, {}).update(mistakes)


@dataclass(frozen=True)
class DifferingVariant:
    """A server that no clause fails (by design: the clauses leave the behaviour open or do
    not look at it) and that differs from the reference server where differential mode looks:
    a difference at a place containing ``where`` whose target value contains ``value``."""

    name: str
    profile: str
    only: str  # a -k expression selecting tests that send the request that shows it
    where: str
    value: str
    build: Callable

    @property
    def summary(self) -> str:
        return " ".join((self.build.__doc__ or "").split())


DIFFERING: list[DifferingVariant] = []


def differs(profile: str, only: str, where: str, value: str) -> Callable:
    """Register the decorated variant as one only differential mode catches."""

    def register(build: Callable) -> Callable:
        DIFFERING.append(DifferingVariant(build.__name__, profile, only, where, value, build))
        return build

    return register


def all_variants() -> list[Variant]:
    for module in profile_modules():
        importlib.import_module(module)
    return VARIANTS


def differing_variants() -> list[DifferingVariant]:
    all_variants()
    return DIFFERING


def allowed_variants() -> list[AllowedVariant]:
    all_variants()
    return ALLOWED


def every_variant() -> list:
    return [*all_variants(), *DIFFERING, *ALLOWED]


def profile_of(name: str) -> str:
    """The profile of the variant (of any kind) called ``name``."""
    for variant in every_variant():
        if variant.name == name:
            return variant.profile
    raise KeyError(f"no variant called {name!r}")


def builder(name: str) -> Callable:
    for variant in every_variant():
        if variant.name == name:
            return variant.build
    raise KeyError(f"no variant called {name!r}")


# ---- helpers for variants that change answers rather than code -----------------------------


def rewrite_responses(change: Callable) -> Callable:
    """An app wrapper that passes each (method, path, status, JSON body) through ``change``,
    which returns a new (status, body) or None to keep the answer."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import JSONResponse, Response

    async def dispatch(request, call_next):
        response = await call_next(request)
        raw = b"".join([chunk async for chunk in response.body_iterator])
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        replaced = change(request.method, request.url.path, response.status_code, body)
        if replaced is None:
            headers = {k: v for k, v in response.headers.items() if k != "content-length"}
            return Response(raw, status_code=response.status_code, headers=headers)
        status, new_body = replaced
        return JSONResponse(new_body, status_code=status)

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


def rewrite_each(is_kind: Callable[[dict], bool], change: Callable[[dict], None], path_part=""):
    """An app wrapper that applies ``change`` to every object of one kind (``is_kind``) in a
    JSON answer, alone or in a list, on paths containing ``path_part``."""

    def rewrite(method, path, status, body):
        objects = body if isinstance(body, list) else [body]
        kind = [item for item in objects if isinstance(item, dict) and is_kind(item)]
        for item in kind:
            change(item)
        return (status, body) if kind and path_part in path else None

    return rewrite_responses(rewrite)


def rewrite_nested(is_kind: Callable[[dict], bool], change: Callable[[dict], None]):
    """An app wrapper that applies ``change`` to every object of one kind (``is_kind``)
    anywhere in a JSON answer (inside list envelopes too)."""

    def walk(node) -> bool:
        found = False
        if isinstance(node, dict):
            if is_kind(node):
                change(node)
                found = True
            children = list(node.values())
        else:
            children = node if isinstance(node, list) else []
        for child in children:
            found = walk(child) or found
        return found

    def rewrite(method, path, status, body):
        return (status, body) if walk(body) else None

    return rewrite_responses(rewrite)


def is_block_document(item: dict) -> bool:
    return "block_document_references" in item


def is_block_type(item: dict) -> bool:
    return "is_protected" in item


def request_rewriter(check: Callable) -> Callable:
    """An app wrapper that answers ``check(method, path, body)`` when it returns (status,
    body) instead of passing the request on."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import JSONResponse

    async def dispatch(request, call_next):
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        answer = check(request.method, request.url.path, body)
        if answer is None:
            return await call_next(request)
        return JSONResponse(answer[1], status_code=answer[0])

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


# ---- serving --------------------------------------------------------------------------------


def serve(name: str, server_args: list[str]) -> None:
    """The reference server with the variant ``name`` applied (in this process)."""
    wrap = builder(name)() or (lambda app: app)
    from reference_server import __main__ as cli

    build = cli.create_app
    cli.create_app = lambda *args, **kwargs: wrap(build(*args, **kwargs))
    cli.main(server_args)
