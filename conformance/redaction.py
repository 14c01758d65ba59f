"""Secrets kept out of every report: the values of ``--target-header`` and
``--blocks-oracle-header``, passwords and tokens given as options, credentials in URLs, and the
cookies and credentials the run meets on the way (a session cookie a server sets, an
``Authorization`` header a test sends) are replaced by ``<redacted>`` wherever a report shows
text.

Failure messages quote requests and answers, and a test may fail while it logs in; so the
session passes every test report (its failure message, captured output and properties, which
JUnit, the terminal and the JSON report all read) and every report file through the run's
``Redactor`` before anything is written.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from .options import Settings

REDACTED = "<redacted>"
# Shorter values are not searched for: replacing every "ab" of a report would garble it, and a
# credential that short protects nothing.
MIN_LENGTH = 4
SCHEMES = ("basic", "bearer", "token", "digest")  # of an Authorization header
# options whose values are secrets, by their dest (every profile's --blocks-<profile>-password...)
SECRET_OPTION = re.compile(r"password|token|secret|credential", re.IGNORECASE)
CREDENTIAL_HEADERS = re.compile(
    r"^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|api-?key",
    re.IGNORECASE,
)
# a credential header written out as a line of text ("Cookie: a=b", a log of headers). Not
# quoted keys: the suite's own test data has them ("Authorization": "Bearer abc" in a webhook
# block), and a failure message must show whether the server masked them.
HEADER_LINE = re.compile(
    r"(?im)^(\s*(?:set-cookie|cookie|authorization|proxy-authorization)\s*:[ \t]*)\S[^\r\n]*"
)


def forms_of(value: str) -> set[str]:
    """The ways ``value`` can appear in a report: as given, escaped inside a JSON string,
    percent-encoded in a URL, and its parts when it is a credential (the token after
    ``Basic``/``Bearer``, a Basic token decoded, its password; a cookie's values)."""
    value = value.strip()
    if value.lower() in SCHEMES:  # a scheme with no credential after it (a secret not set)
        return set()
    found = {value}
    scheme, _, token = value.partition(" ")
    if token and scheme.lower() in SCHEMES:
        found.add(token.strip())
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            found |= {decoded, decoded.partition(":")[2]}
    for pair in value.split(";"):
        name, equals, cookie = pair.partition("=")
        if equals and re.fullmatch(r"\s*[\w.!#$%&'*+^`|~-]+\s*", name):
            found.add(cookie.strip().strip('"'))
    found |= {json.dumps(form)[1:-1] for form in list(found)}
    found |= {quote(form, safe="") for form in list(found)}
    return {form for form in found if len(form) >= MIN_LENGTH}


URL_USERINFO = re.compile(r"(?<=://)[^/?#\s@]+@")


def without_url_passwords(text: str) -> str:
    """``text`` with the credentials of every URL in it (``scheme://user:password@host``, or
    a token as the user) replaced, for a message printed before the run has a redactor."""
    return URL_USERINFO.sub(f"{REDACTED}@", text)


def url_password(value: str) -> str | None:
    try:
        return urlsplit(value).password if "://" in value else None
    except ValueError:
        return None


class Redactor:
    """The secrets of one run (given up front, or learnt while it runs) and the one way of
    taking them out of text and data. Thread-safe: tests that race requests learn cookies
    concurrently."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pattern: re.Pattern | None = None
        for value in values:
            self.add(value)

    @classmethod
    def for_run(cls, settings: Settings, default_headers: Mapping[str, str]) -> Redactor:
        """Every header value given to the suite (the profile's default ones included), every
        option whose name says password, token or secret, and every password in a URL."""
        redactor = cls()
        headers = {**settings.headers, **settings.oracle_headers, **default_headers}
        for value in headers.values():
            redactor.add(value)
        for dest, value in settings.values.items():
            for item in value if isinstance(value, list | tuple) else [value]:
                if not isinstance(item, str):
                    continue
                if SECRET_OPTION.search(dest):
                    redactor.add(item)
                elif password := url_password(item):
                    redactor.add(password)
        return redactor

    def add(self, value: str) -> None:
        forms = forms_of(value)
        with self._lock:
            if forms - self._values:
                self._values |= forms
                self._pattern = None

    def learn_headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        """Keep the values of the credential headers among ``headers`` (a request's, or the
        ``set-cookie`` ones of an answer)."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        for name, value in pairs:
            if CREDENTIAL_HEADERS.search(name):
                self.add(value.split(";", 1)[0] if name.lower() == "set-cookie" else value)

    @property
    def values(self) -> frozenset[str]:
        return frozenset(self._values)

    def _compiled(self) -> re.Pattern | None:
        with self._lock:
            if self._pattern is None and self._values:
                ordered = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(value) for value in ordered))
            return self._pattern

    def text(self, text: str) -> str:
        text = HEADER_LINE.sub(rf"\g<1>{REDACTED}", text)
        pattern = self._compiled()
        return pattern.sub(REDACTED, text) if pattern is not None else text

    def data(self, value: Any) -> Any:
        """``value`` (JSON-like data) with every string redacted, keys included."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.data(key): self.data(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.data(item) for item in value)
        return value


class CredentialsLearned:
    """A listener of a client: the credentials a test sends and the cookies a server sets are
    learned by the run's redactor, so that no report shows them."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor

    def heard(self, path: str, exchange: Any) -> None:
        self.redactor.learn_headers(exchange.request_headers)
        if exchange.response is not None:
            cookies = exchange.response.headers.get_list("set-cookie")
            self.redactor.learn_headers([("set-cookie", cookie) for cookie in cookies])


def redact_test_report(report: Any, redactor: Redactor) -> None:
    """Take the secrets out of a pytest test report before anything reads it (JUnit, the
    terminal, xdist's controller, the JSON report): its failure message (kept as pytest made
    it unless a secret is in it; then as redacted text), captured output, properties and the
    exchange the suite attached."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (path, line, reason)
        report.longrepr = (longrepr[0], longrepr[1], redactor.text(str(longrepr[2])))
    elif longrepr is not None:
        text = report.longreprtext
        clean = redactor.text(text)
        if clean != text:
            report.longrepr = clean
    report.sections = [(title, redactor.text(content)) for title, content in report.sections]
    report.user_properties = [
        (name, redactor.text(value) if isinstance(value, str) else value)
        for name, value in report.user_properties
    ]
    if isinstance(getattr(report, "wasxfail", None), str):
        report.wasxfail = redactor.text(report.wasxfail)
    if getattr(report, "blocks_exchange", None) is not None:
        report.blocks_exchange = redactor.data(report.blocks_exchange)
    if getattr(report, "blocks_steps", None) is not None:
        report.blocks_steps = redactor.data(report.blocks_steps)
