"""Broken variants of the Peak Press profile's reference server (see ``tests/variants``)."""

import re
from functools import partial

from . import SUITE_ARGS, classic_mistakes, request_rewriter, rewrite_nested, rewrite_responses
from . import allowed as allowed_reading
from . import breaks as breaks_clause
from . import differs as differs_from_reference

breaks = partial(breaks_clause, "peak-press")
# a small budget of generated cases (a variant's run is about its clause, and the unbroken
# server's run about every clause passing)
SUITE_ARGS["peak-press"] = ["--blocks-examples=3"]

# The journeys (level 5) run peak-sdk in the interpreter named by PEAK_PYTHON (CI sets it:
# 1.29.0, which every journey applies to, validate= included).
CLIENT = (("--blocks-peak-press-python", "PEAK_PYTHON"),)

SPEC_PATH = re.compile(r"^/peak/v1/blocks/specs/[^/]+$")
DEPLOYMENT_PATH = re.compile(r"^/peak/v1/blocks/deployments/[^/]+$")


def dry_run_stores(path: re.Pattern):
    """An app wrapper: a ``?validate=true`` POST to ``path`` is handled as a real create, and its
    success answered as a dry run's."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import JSONResponse

    async def dispatch(request, call_next):
        is_dry_run = request.query_params.get("validate") == "true"
        if request.method != "POST" or not is_dry_run or not path.match(request.url.path):
            return await call_next(request)
        request.scope["query_string"] = b""
        response = await call_next(request)
        if response.status_code >= 300:
            return response
        return JSONResponse({"success": True, "message": "valid"}, status_code=200)

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


# ---- level 1 --------------------------------------------------------------------------------


@breaks("PP-API-token", "without a token", "answered 200")
def token_not_checked():
    """Every request is served, with or without a token."""
    from reference_server.peak_press import app

    async def serve_anyone(self, scope, receive, send):
        return await self.app(scope, receive, send)

    app.TokenCheck.__call__ = serve_anyone


@breaks("PP-API-error-shape", "must match the detail_error schema", "'detail' is a required")
@allowed_reading(
    "peak-press",
    "PP-API-token",
    "PP-SPEC-404",
    "PP-DEP-invalid",
    reason="peak-sdk 1.29.0 peak/handler.py passes an error's body on as it is (`error_response = "
    "response.text` ... `raise BaseHttpException.REGISTRY[response.status_code](error_response)`): "
    "any body serves",
    # the journeys' recordings hold the reference server's error words (PP-JRN-bodies, SHOULD)
    fails=("PP-API-error-shape", "PP-JRN-bodies"),
    needs=CLIENT,
)
def errors_under_message():
    """Error bodies say {"message": ...} instead of {"detail": ...}."""

    def rename(method, path, status, body):
        if status >= 400 and isinstance(body, dict) and "detail" in body:
            return status, {"message": body["detail"]}
        return None

    return rewrite_responses(rename)


@breaks("PP-SPEC-create", "tenants must be", "gave []")
def forgets_tenants():
    """The tenants form field of a spec create is ignored."""
    from reference_server.peak_press import api

    field = api.json_field
    api.json_field = lambda fields, key, default=None: (
        default if key == "tenants" else field(fields, key, default)
    )


@breaks("PP-SPEC-create-defaults", "scope of a spec sent without one must be", 'gave "public"')
def public_by_default():
    """A spec created without a scope is public instead of private."""
    from reference_server.peak_press import api

    create = api.new_spec

    def new_spec(fields):
        spec = create(fields)
        return spec if "scope" in fields else {**spec, "scope": "public"}

    api.new_spec = new_spec


@breaks("PP-SPEC-create-invalid", "with no metadata.summary must be refused", "answered 201")
def summary_optional():
    """metadata.summary may be left out."""
    from reference_server.peak_press import api

    check = api.checked_metadata
    api.checked_metadata = lambda metadata, partial=False: check(
        {"summary": "-", **metadata} if isinstance(metadata, dict) else metadata, partial
    )


@breaks("PP-SPEC-409-name", "must be refused (400, 409 or 422)", "answered 201")
def duplicate_spec_names():
    """No unique spec name per kind."""
    from reference_server.peak_press import api, store

    store.PARTS["spec_name_per_kind"] = None
    api.spec_name_taken = lambda *args, **kwargs: False


@breaks("PP-SPEC-update", "metadata.description after PATCH must be")
def spec_patch_drops_description():
    """The PATCH answer of a spec leaves out the metadata it was not sent."""

    def drop(method, path, status, body):
        if method == "PATCH" and SPEC_PATH.match(path) and status == 200:
            body["metadata"].pop("description", None)
            return status, body
        return None

    return rewrite_responses(drop)


@breaks("PP-SPEC-delete", "/releases must answer 404", "answered 200")
def spec_delete_leaves_its_releases():
    """Deleting a spec leaves its releases behind, still listed and readable."""
    from reference_server.peak_press import store

    store.PARTS["release_spec_reference"] = None


@breaks("PP-SPEC-404", "DELETE", "must answer 404", "answered 200")
def deleting_an_unknown_spec_succeeds():
    """DELETE of a spec id nobody has answers 200 {}."""
    from reference_server.peak_press import store

    store.Store.delete_spec = lambda self, spec_id: self.write(
        "DELETE FROM peak_spec WHERE id = ?", [spec_id]
    )


@breaks("PP-SPEC-list-prefix", "name=group must be")
def name_filter_is_exact():
    """The name filter matches whole names only."""
    from reference_server.peak_press import listing

    def exact(params, columns):
        return [
            (f"{column} = ?", [params[key]]) for key, column in columns.items() if key in params
        ]

    listing.prefix_filters = exact


@breaks("PP-SPEC-list-filters", 'specs listed with {"featured": "True"} must be')
def featured_filter_lower_case_only():
    """featured=True (peak-sdk's capitalised boolean) is read as false."""
    from reference_server.peak_press import listing

    listing.boolean = lambda params, key: None if key not in params else params[key] == "true"


@breaks("PP-SPEC-list-sort", "sort=name:desc must be")
def sort_ignores_desc():
    """Every sort key is applied ascending."""
    from reference_server.peak_press import listing

    order = listing.sort_order
    listing.sort_order = lambda params, fields, default: [
        (column, False) for column, _ in order(params, fields, default)
    ]


# ---- pagination and dry runs ----------------------------------------------------------------


@breaks("PP-PAGE-envelope", "pageCount of 5 items by 5 must be 1", "gave 2")
def page_count_off_by_one():
    """pageCount is total // pageSize + 1: one too many when pageSize divides the total."""
    from reference_server.peak_press import listing

    envelope = listing.envelope

    def off_by_one(page, items, query, items_key, count_key):
        answer = envelope(page, items, query, items_key, count_key)
        return {**answer, "pageCount": page.total // query.page_size + 1}

    listing.envelope = off_by_one


@breaks("PP-PAGE-walk", "the specs walked page by page")
def pages_overlap():
    """Every page after the first starts one item early, repeating the last of the page before."""
    from reference_server.peak_press import store

    page = store.Store.page

    def overlapping(self, table, query):
        if query.page_number == 1:
            return page(self, table, query)
        wide = store.Query(query.where, query.order, query.page_size * query.page_number, 1)
        everything = page(self, table, wide)
        start = (query.page_number - 1) * query.page_size - 1
        return store.Page(everything.items[start : start + query.page_size], everything.total)

    store.Store.page = overlapping


@breaks("PP-PAGE-invalid", "must answer 400 or 422", "answered 200")
def bad_pages_fall_back_to_defaults():
    """A pageSize or pageNumber below 1, or not a number, is quietly replaced by the default."""
    from reference_server.peak_press import listing

    def lenient(params, key, default):
        raw = params.get(key)
        return int(raw) if raw is not None and raw.isdigit() and int(raw) > 0 else default

    listing.positive_int = lenient


@breaks("PP-VAL-spec-dry-run", "specs named after a dry run must be []")
def spec_dry_run_stores():
    """POST specs/?validate=true creates the spec (and answers like a dry run)."""
    return dry_run_stores(re.compile(r"^/peak/v1/blocks/specs/?$"))


@breaks("PP-VAL-spec-dry-run-invalid", "must answer 400 or 422", "answered 200")
def dry_run_always_succeeds():
    """A ?validate=true create answers success without checking anything."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import JSONResponse

    async def dispatch(request, call_next):
        if request.method == "POST" and request.query_params.get("validate") == "true":
            return JSONResponse({"success": True, "message": "valid"})
        return await call_next(request)

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


# ---- level 2 --------------------------------------------------------------------------------


@breaks("PP-REL-create", "the release's config must be")
def release_drops_config():
    """Releases are stored without their config."""
    from reference_server.peak_press import api

    api.checked_config = lambda config: {}


@breaks("PP-REL-semver", "must answer 400 or 422", "answered 201")
def accepts_any_release_version():
    """Any text is accepted as release.version."""
    from reference_server.peak_press import api

    api.SEMVER = re.compile(r".*")


@breaks("PP-REL-409-version", "must be refused (400, 409 or 422)", "answered 201")
def duplicate_release_versions():
    """A second release with a version the spec has is stored too."""
    from reference_server.peak_press import store

    store.PARTS["release_version_per_spec"] = None


@breaks("PP-REL-list-order", "releases, newest first must be")
def releases_oldest_first():
    """Lists without sort are oldest first (allowed for specs, not for releases)."""
    from reference_server.peak_press import listing

    sort_order = listing.sort_order
    listing.sort_order = lambda params, fields, default: sort_order(params, fields, False)


@breaks("PP-REL-latest", "latestRelease must be")
def latest_release_stays_the_first():
    """A spec's latestRelease is never updated after its create."""
    from reference_server.peak_press import store

    replace = store.Store.replace_spec

    def keep_first(self, spec):
        replace(self, {**spec, "latestRelease": self.spec(spec["id"])["latestRelease"]})

    store.Store.replace_spec = keep_first


@breaks("PP-REL-404", "releases/9.9.9 must answer 404", "answered 200")
def unknown_version_answers_the_latest():
    """GET of a release version the spec does not have answers its latest release."""
    from reference_server.peak_press import store

    release = store.Store.release

    def or_latest(self, spec_id, version):
        try:
            return release(self, spec_id, version)
        except store.NotFound:
            return self.latest_release(spec_id)

    store.Store.release = or_latest


@breaks("PP-VAL-release-dry-run", "releases/2.0.0 must answer 404", "answered 200")
def release_dry_run_stores():
    """POST releases?validate=true stores the release (and answers like a dry run)."""
    return dry_run_stores(re.compile(r"^/peak/v1/blocks/specs/[^/]+/releases$"))


# ---- level 3 --------------------------------------------------------------------------------


@breaks("PP-DEP-create", 'spec.release must be {"version": "1.0.0"}')
def deploys_the_latest_release_whatever_asked():
    """spec.release.version of a deployment create is ignored: the latest release is deployed."""
    from reference_server.peak_press import api

    chosen = api.chosen_release
    api.chosen_release = lambda store, spec_id, release: chosen(store, spec_id, None)


@breaks("PP-DEP-latest-release", 'spec.release.version must be "1.2.0"', 'gave "1.0.0"')
def defaults_to_the_first_release():
    """A deployment without a release version deploys the spec's first release."""
    from reference_server.peak_press import store

    def first_release(self, spec_id):
        row = self.one(
            "SELECT document FROM peak_release WHERE spec_id = ? ORDER BY seq LIMIT 1",
            [spec_id],
            "release",
        )
        return store.document_of(row)

    store.Store.latest_release = first_release


@breaks("PP-DEP-invalid", "must answer 404", "answered 201")
@breaks("PP-REV-release", "must answer 404", "answered 201")
def unknown_release_falls_back_to_the_latest():
    """A deployment or revision naming a release the spec does not have gets the latest one."""
    from reference_server.peak_press import api

    chosen = api.chosen_release

    def or_latest(store, spec_id, release):
        try:
            return chosen(store, spec_id, release)
        except api.HTTPException:
            return chosen(store, spec_id, None)

    api.chosen_release = or_latest


@breaks("PP-DEP-409-name", "must be refused (400, 409 or 422)", "answered 201")
def duplicate_deployment_names():
    """No unique deployment name per kind."""
    from reference_server.peak_press import store

    store.PARTS["deployment_name_per_kind"] = None


@breaks("PP-DEP-update", "metadata.title after PATCH must be")
def deployment_patch_drops_title():
    """The PATCH answer of a deployment leaves out the title it was not sent."""

    def drop(method, path, status, body):
        if method == "PATCH" and DEPLOYMENT_PATH.match(path) and status == 200:
            body["metadata"].pop("title", None)
            return status, body
        return None

    return rewrite_responses(drop)


@breaks("PP-DEP-delete", "must answer 404", "answered 200")
def deployment_delete_keeps_it():
    """DELETE of a deployment answers {} and deletes nothing."""
    from reference_server.peak_press import store

    store.Store.delete_deployment = lambda self, deployment_id: self.deployment(deployment_id)


@breaks("PP-DEP-404", "parameters/run must answer 404", "answered 200")
def parameters_of_unknown_deployments_are_empty():
    """GET of the run parameters of an unknown deployment answers {}."""

    def empty(method, path, status, body):
        if method == "GET" and path.endswith("/parameters/run") and status == 404:
            return 200, {}
        return None

    return rewrite_responses(empty)


@breaks("PP-DEP-list", "deployments listed with a title prefix must be")
def title_filter_ignored():
    """The title filter of the lists is ignored."""
    from reference_server.peak_press import listing

    prefix = listing.prefix_filters
    listing.prefix_filters = lambda params, columns: prefix(
        params, {k: v for k, v in columns.items() if k != "title"}
    )


@breaks("PP-REV-numbering", "the new revision's number must be 2", "gave 1")
def revision_numbers_not_increasing():
    """A new revision is numbered by the count of revisions not superseded, repeating numbers."""
    from reference_server.peak_press import store

    store.PARTS["revision_number_per_deployment"] = None
    store.Store.next_revision_number = lambda self, deployment_id: sum(
        revision["status"] != "superseded" for revision in self.revisions_of(deployment_id)
    )


@breaks("PP-REV-superseded", 'must be "superseded"')
def older_revisions_stay_deployed():
    """A new revision leaves the older ones in their status."""
    from reference_server.peak_press import store

    def add_revision(self, deployment, revision):
        with self.transaction():
            self.insert_revision(deployment["id"], revision)
            self.replace_deployment(deployment)

    store.Store.add_revision = add_revision


@breaks("PP-REV-describe", "revisions/4 must answer 404", "answered 200")
def unknown_revision_answers_the_latest():
    """GET of a revision number the deployment does not have answers its latest revision."""
    from reference_server.peak_press import store

    revision = store.Store.revision

    def or_latest(self, deployment_id, number):
        try:
            return revision(self, deployment_id, number)
        except store.NotFound:
            return self.revisions_of(deployment_id)[-1]

    store.Store.revision = or_latest


@breaks("PP-REV-list", "superseded revisions must be")
def status_filter_ignored():
    """The status filter of the lists is ignored."""
    from reference_server.peak_press import listing

    in_filter = listing.in_filter
    listing.in_filter = lambda column, values: (
        [] if column == "status" else in_filter(column, values)
    )


# ---- level 4 --------------------------------------------------------------------------------


@breaks("PP-PAR-definitions", "must answer 400 or 422", "answered 201")
def parameter_definitions_unchecked():
    """Parameter definitions are stored as sent, whatever their type or fields."""
    from reference_server.peak_press import parameters

    parameters.check_definition = lambda section, entry: None


@breaks("PP-PAR-types", "a number parameter given '2.5' must be refused")
def numbers_accept_text():
    """A number parameter takes any value."""
    from reference_server.peak_press import parameters

    parameters.TYPE_CHECKS["number"] = lambda value: True


@breaks("PP-PAR-required", "a required parameter left out", "answered 201")
def required_parameters_not_checked():
    """Required parameters may be left out."""
    from reference_server.peak_press import api

    resolve = api.resolved_values

    def optional_all(definitions, given):
        relaxed = {
            section: [{**entry, "required": False} for entry in entries]
            for section, entries in definitions.items()
        }
        return resolve(relaxed, given)

    api.resolved_values = optional_all


@breaks("PP-PAR-hidden", "must not show a hidden value")
def echoes_hidden_values():
    """hideValue parameters are shown in clear in descriptions."""
    from reference_server.peak_press import api

    api.masked = lambda values, hidden: values


@breaks("PP-PAR-get", 'run must be {"limit": 1, "mode": "x"}')
def run_parameters_wrapped():
    """GET of the run parameters answers {"run": {...}, "build": {}} instead of the run map."""

    def wrap(method, path, status, body):
        if method == "GET" and path.endswith("/parameters/run") and status == 200:
            return 200, {"build": {}, "run": body}
        return None

    return rewrite_responses(wrap)


@breaks("PP-PAR-patch", "the PATCH answer must be")
def patch_replaces_run_parameters():
    """A PATCH of run parameters replaces them all instead of merging."""
    from reference_server.peak_press import api

    api.merged = lambda current, given: dict(given)


@breaks("PP-RDP-conflict", "redeploy of a deployed deployment", "answered 200")
def redeploys_from_deployed():
    """A deployed deployment can be redeployed."""
    from reference_server.peak_press import api

    api.REDEPLOYABLE = ("failed", "warning", "deployed")


@breaks("PP-RDP-failed", "redeploy of a warning deployment", "answered 409")
def refuses_redeploy_from_warning():
    """Only failed deployments can be redeployed, not warning ones."""
    from reference_server.peak_press import api

    api.REDEPLOYABLE = ("failed",)


# ---- level 5: what the real peak-sdk notices (run with the SDK's interpreter) ----------------

SPECS_PREFIX = "/peak/v1/blocks/specs"


@breaks(
    "PP-JRN-spec",
    "journey spec, step describe_spec",
    "BadRequestException",
    "the client's own error",
    needs=CLIENT,
)
def refuses_bodies_on_spec_reads():
    """A GET or DELETE of specs that carries a body answers 400 (peak-sdk sends {} as the JSON
    body of every call; the suite's own requests carry none)."""

    def refuse(method, path, body):
        if method in ("GET", "DELETE") and path.startswith(SPECS_PREFIX) and body is not None:
            return 400, {"detail": "a GET or DELETE takes no body"}
        return None

    return request_rewriter(refuse)


@breaks(
    "PP-JRN-deployment",
    "step list_deployment_revisions_over_pages",
    "KeyError",
    needs=CLIENT,
)
def revision_list_without_the_sdk_key():
    """The revision list carries its items under "revisions" only, as Peak's list answers do,
    not also under "deployments", the key peak-sdk's revision iterator reads (only the SHOULD
    clause PP-REV-sdk-key asks for it)."""

    def drop(method, path, status, body):
        if method == "GET" and path.endswith("/revisions") and isinstance(body, dict):
            body.pop("deployments", None)
            return status, body
        return None

    return rewrite_responses(drop)


@breaks(
    "PP-JRN-errors",
    "step create_spec_with_a_taken_name",
    'the client gave "Exception"',
    needs=CLIENT,
)
def refuses_taken_names_with_412():
    """A taken spec name or release version answers 412 Precondition Failed: peak-sdk has no
    exception class for it and raises a bare Exception."""

    def precondition(method, path, status, body):
        if status == 409 and path.startswith(SPECS_PREFIX):
            return 412, body
        return None

    return rewrite_responses(precondition)


@breaks(
    "PP-JRN-validate",
    "step taken_name_dry_run_raises_what_the_create_raises",
    "the client gave false",
    needs=CLIENT,
)
def dry_run_refuses_taken_names_with_400():
    """A dry run of a spec with a taken name answers 400, the create 409: each is allowed on its
    own (PP-VAL-spec-dry-run-invalid), but the dry run must raise what the create raises."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import Response

    async def dispatch(request, call_next):
        response = await call_next(request)
        dry_run = request.query_params.get("validate") == "true"
        if request.method != "POST" or not dry_run or response.status_code != 409:
            return response
        raw = b"".join([chunk async for chunk in response.body_iterator])
        return Response(raw, status_code=400, media_type="application/json")

    return lambda app: BaseHTTPMiddleware(app, dispatch=dispatch)


# ---- differences only the comparison with another server catches ---------------------------

differs = partial(differs_from_reference, "peak-press")


@differs("test_create_answers_an_id_and_describe_shows_the_deployment", "(keys)", "etag")
def adds_an_etag_to_deployments():
    """Every deployment carries an extra "etag" key (peak-sdk returns the answers as they
    are, and the documents show examples of them, not closed sets of keys)."""
    return rewrite_nested(
        lambda item: "latestRevision" in item, lambda deployment: deployment.update(etag="1")
    )


@differs("test_not_found_answers_carry_a_detail", "body at $.detail", "No such object")
def rewords_not_found():
    """A 404 says "No such object" (the clauses ask for the status and a detail, not its
    words)."""

    def reword(method, path, status, body):
        if status == 404 and isinstance(body, dict) and "detail" in body:
            return 404, {"detail": "No such object"}
        return None

    return rewrite_responses(reword)


# ---- other readings the documents allow: each passes the whole suite -------------------------

# the whole suite includes the real SDK's journeys (level 5)
allowed = partial(allowed_reading, "peak-press", needs=CLIENT)
REDEPLOY = re.compile(r"^/peak/v1/blocks/deployments/([^/]+)/redeploy$")


def peak_store(app):
    from reference_server.app import profile_app

    return profile_app(app, "peak_press").state.store


@allowed(
    "PP-RDP-failed",
    reason="peak-sdk 1.29.0 peak/press/blocks.py Block.redeploy: “Redeploy latest revision of an "
    "existing Block deployment.”",
    fails=("PP-JRN-bodies",),  # the reference server's answers name the copy, revision 3
)
def redeploys_the_latest_revision_in_place():
    """A redeploy deploys revision N again: no new revision; N and the deployment are deployed
    once more, and the answer names N."""
    from starlette.middleware.base import BaseHTTPMiddleware
    from starlette.responses import JSONResponse

    def wrap(app):
        store = peak_store(app)

        async def dispatch(request, call_next):
            match = REDEPLOY.match(request.url.path)
            if request.method != "POST" or match is None:
                return await call_next(request)
            try:
                deployment = store.deployment(match[1])
            except Exception:
                return await call_next(request)
            if deployment["status"] not in ("failed", "warning"):
                return await call_next(request)
            latest = {**deployment["latestRevision"], "status": "deployed"}
            with store.transaction():
                store.replace_revision(match[1], latest)
                store.replace_deployment(
                    {**deployment, "status": "deployed", "latestRevision": latest}
                )
            answer = {
                "deploymentId": match[1],
                "revision": latest["revision"],
                "revisionId": latest["id"],
            }
            return JSONResponse(answer)

        return BaseHTTPMiddleware(app, dispatch=dispatch)

    return wrap


@allowed(
    "PP-SPEC-create",
    "PP-REL-create",
    "PP-DEP-create",
    "PP-REV-numbering",
    reason="peak-sdk 1.29.0 peak/handler.py: `if 200 <= response.status_code < 300:` … `return "
    "response`: any 2xx is a success",
)
def answers_202_to_creates():
    """Creates of specs, releases, deployments and revisions answer 202 Accepted (the same
    body)."""

    def accepted(method, path, status, body):
        creates = path.endswith(("/specs/", "/releases", "/deployments/", "/revisions"))
        if method == "POST" and creates and status in (200, 201) and isinstance(body, dict):
            return 202, body
        return None

    return rewrite_responses(accepted)


@allowed(
    "PP-SPEC-409-name",
    "PP-REL-409-version",
    "PP-DEP-409-name",
    reason="peak-sdk 1.29.0 peak/press/blocks.py: the Raises of create_spec, create_spec_release, "
    "create_deployment and update_*_metadata list BadRequestException and "
    "UnprocessableEntityException, and no ConflictException",
)
def refuses_duplicates_with_422():
    """A taken spec or deployment name, or a taken release version, answers 422 instead of
    409."""

    def unprocessable(method, path, status, body):
        if status == 409 and "/redeploy" not in path and "/revisions" not in path:
            return 422, body
        return None

    return rewrite_responses(unprocessable)


@allowed(
    "PP-PAGE-envelope",
    reason="peak-sdk 1.29.0 peak/session.py create_generator_request walks `while page_number <= "
    "page_count`: one empty page or none serves it alike",
)
def counts_one_page_for_an_empty_list():
    """An empty list answers pageCount 1 (one empty page) instead of 0."""

    def one_page(method, path, status, body):
        if method == "GET" and isinstance(body, dict) and body.get("pageCount") == 0:
            return status, {**body, "pageCount": 1}
        return None

    return rewrite_responses(one_page)


@allowed(
    "PP-SPEC-list-filters",
    reason="peak-sdk 1.29.0 peak/press/blocks.py list_specs: “featured (bool | None): Whether to "
    "only return featured specs.”: False need not filter",
)
def ignores_featured_false():
    """featured=False is no filter at all (only True filters): the server never sees it."""

    def wrap(app):
        async def asgi(scope, receive, send):
            if scope["type"] == "http" and scope["path"].endswith("/v1/blocks/specs/"):
                query = scope["query_string"].decode()
                kept = "&".join(
                    part for part in query.split("&") if part.lower() != "featured=false"
                )
                scope = {**scope, "query_string": kept.encode()}
            return await app(scope, receive, send)

        return asgi

    return wrap


RELEASES = re.compile(r"^/peak/v1/blocks/specs/([^/]+)/releases$")
BOTH_CLIENTS = (
    ("--blocks-peak-press-python", "PEAK_PYTHON"),
    ("--blocks-peak-press-python", "PEAK_PYTHON_OLD"),
)


@allowed(
    "PP-JRN-spec",
    "PP-JRN-deployment",
    "PP-JRN-errors",
    "PP-JRN-validate",
    "PP-REL-create",
    reason="peak-sdk 1.29.0 (and 1.25.0) peak/press/blocks.py Block.create_spec_release: "
    "“Returns: Dict[str, str]: Dictionary containing spec id and release version.” (no keys "
    "named; peak/handler.py hands the body on as it is); a 404's words are the server's own "
    "(peak/handler.py passes the raw body on)",
    fails=("PP-JRN-bodies",),
    needs=BOTH_CLIENTS,
)
def answers_a_release_flat_with_one_id_more():
    """A release's create answers {"id": <spec id>, "version": <version>, "releaseId": <a new
    id>} instead of the reference server's {"id", "release": {"version"}}, and every 404 names
    the path it did not find, ids included: one id more in an answer, before the ones the
    journeys compare."""
    import uuid

    def rewrite(method, path, status, body):
        if not isinstance(body, dict):
            return None
        created = isinstance(body.get("release"), dict) and "id" in body
        if method == "POST" and RELEASES.match(path) and status < 300 and created:
            flat = {"id": body["id"], "version": body["release"].get("version")}
            return status, {**flat, "releaseId": str(uuid.uuid4())}
        if status == 404 and isinstance(body.get("detail"), str):
            return 404, {"detail": f"{body['detail']}: nothing at {path}"}
        return None

    return rewrite_responses(rewrite)


# ---- the deviation catalogue: classic implementer mistakes among the broken variants --------

classic_mistakes(
    "peak-press",
    {
        "page_count_off_by_one": "off-by-one pages: pageCount one too many",
        "pages_overlap": "pages overlap: an item on two pages",
        "bad_pages_fall_back_to_defaults": "bad input read as a default: a bad page served",
        "spec_dry_run_stores": "a dry run that stores",
        "dry_run_always_succeeds": "a dry run that checks nothing",
        "spec_patch_drops_description": "a full replace on PATCH: unsent metadata lost",
        "spec_delete_leaves_its_releases": "no cascade: a deleted spec leaves its releases",
        "sort_ignores_desc": "a wrong sort order: desc ignored",
        "token_not_checked": "unchecked tokens",
        "duplicate_spec_names": "unenforced uniqueness: a taken spec name accepted",
        "echoes_hidden_values": "a secret leak: hidden parameter values shown",
        "revision_numbers_not_increasing": "revision numbers that do not count up",
        "older_revisions_stay_deployed": "state not maintained: older revisions never superseded",
        "latest_release_stays_the_first": "a stale latest: latestRelease never updated",
        "name_filter_is_exact": "a prefix filter matching exactly",
        "patch_replaces_run_parameters": "a replace instead of a merge of run parameters",
        "redeploys_from_deployed": "state rules unchecked: redeploy from any status",
        "refuses_bodies_on_spec_reads": "a GET with a body refused (peak-sdk sends {} always)",
    },
)
