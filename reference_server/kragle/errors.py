"""Kragle's errors: HTTP 500 with ``{"code", "msg"}`` (the codes and messages of the Kragle
documents' "Faults and Error Codes"), and 403 for an object the caller may not see."""

from starlette.responses import JSONResponse

MESSAGES = {
    1: "You have made a bad request - Please check your query params and try again.",
    2: "Your request body contained invalid or inappropriate JSON - please check your request "
    "and try again.",
    3: "That user does not exist or the specified password is incorrect.",
    4: "Your json request payload is inappropriate for the requested operation.",
    5: "There is already a Type with that name or you have specified a bad name... please try "
    "again.",
    6: "The specified object does not exist.",
    7: "Could not retrieve valid JSON from specified remote URL.",
    9: "The provided JSON structure for a Block was invalid.",
    13: 'You may only use one "uri" type Action per Block.',
    20: "The type you are trying to modify is already approved (public) - you can not modify "
    '"is_remote" or "definition"!',
}

BAD_QUERY, BAD_JSON, BAD_LOGIN, BAD_PAYLOAD, BAD_NAME, NO_SUCH_OBJECT = 1, 2, 3, 4, 5, 6
BAD_REMOTE, BAD_DEFINITION, TWO_URI_ACTIONS, APPROVED_READ_ONLY = 7, 9, 13, 20


class KragleError(Exception):
    """An API error: answered as HTTP 500 with the code and its message (plus a detail)."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail

    def response(self) -> JSONResponse:
        message = MESSAGES[self.code] + (f" ({self.detail})" if self.detail else "")
        return JSONResponse({"code": self.code, "msg": message}, status_code=500)


class Forbidden(Exception):
    """The caller may not see or change this object, or must authenticate first: 403."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def response(self) -> JSONResponse:
        return JSONResponse({"msg": f"Forbidden: {self.detail}"}, status_code=403)
