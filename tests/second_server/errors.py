"""The answers this server gives when it refuses a request, in its own words: an explicit
refusal is ``{"detail": "<sentence>"}``; a request that breaks the published request schema is
422 ``{"detail": [{"loc": [...], "msg": ..., "type": ...}, ...]}``, the shape of the
``HTTPValidationError`` component of Prefect's published OpenAPI, one entry per field at fault."""

from dataclasses import dataclass, field

from starlette.responses import JSONResponse

Location = list[str | int]


@dataclass
class Problem:
    """One field at fault in a request."""

    loc: Location
    msg: str
    type: str

    def as_json(self) -> dict:
        return {"loc": self.loc, "msg": self.msg, "type": self.type}


class Refused(Exception):
    """A request refused with ``status`` and a sentence that says why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail

    def response(self) -> JSONResponse:
        return JSONResponse({"detail": self.detail}, status_code=self.status)


@dataclass
class Invalid(Exception):
    """A request that breaks the request schema: 422 with every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def response(self) -> JSONResponse:
        return JSONResponse(
            {"detail": [problem.as_json() for problem in self.problems]}, status_code=422
        )


def invalid(loc: Location, msg: str, kind: str) -> Invalid:
    return Invalid([Problem(loc, msg, kind)])
