"""HTTP routes of the Peak Press blocks API (the paths peak-sdk 1.29.0 calls), mounted under the
profile's base path: specs and releases, deployments and revisions, run parameters.

Deployments follow a deterministic state machine: a deployment and its newest revision are
``deployed`` as soon as they are created (deploying takes no time here); a new revision makes
the ones before it ``superseded``; ``redeploy`` is allowed only from ``failed`` or ``warning``
(which only the test hook in ``app.py`` can set) and deploys a copy of the latest revision.
"""

import json
import re
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from ..store import row_number
from . import listing
from .parameters import (
    ParameterError,
    checked_definitions,
    checked_values,
    hidden_names,
    masked,
    resolved_values,
)
from .store import Conflict, NotFound, Query, Store, new_id, now

router = APIRouter()

KINDS = ("workflow", "service")
SCOPES = ("private", "public", "shared")
SPEC_STATUSES = ("available", "unavailable", "archived")
DEPLOYMENT_STATUSES = (
    "deploying",
    "deployed",
    "deleting",
    "delete_failed",
    "failed",
    "platform_resource_error",
    "redeploying",
    "rollback",
    "rollback_complete",
    "rollback_failed",
    "warning",
)
REVISION_STATUSES = (*DEPLOYMENT_STATUSES, "superseded")
REDEPLOYABLE = ("failed", "warning")
METADATA_TEXT = ("title", "summary", "description", "descriptionContentType", "imageUrl")
CREATED_BY = "reference-user@peak.test"
_NUMBER = r"(?:0|[1-9][0-9]*)"
_PRE = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD = r"[0-9A-Za-z-]+"
SEMVER = re.compile(
    rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:-{_PRE}(?:\.{_PRE})*)?(?:\+{_BUILD}(?:\.{_BUILD})*)?"
)


def store_of(request: Request) -> Store:
    return request.app.state.store


def bad(detail: str) -> HTTPException:
    return HTTPException(400, detail)


def found(call, *args: Any) -> Any:
    try:
        return call(*args)
    except NotFound as missing:
        raise HTTPException(404, f"The {missing} does not exist") from missing


def dry_run(request: Request) -> bool:
    return request.query_params.get("validate", "").lower() == "true"


# ---- bodies ---------------------------------------------------------------------------------


async def json_object(request: Request) -> dict:
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError as error:
        raise bad(f"the body must be JSON: {error}") from error
    if not isinstance(body, dict):
        raise bad("the body must be a JSON object")
    return body


async def form_fields(request: Request) -> dict[str, str]:
    """The text fields of a multipart/form-data body (an ``artifact`` file part is accepted and
    not kept: this server builds nothing)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise bad("the body must be multipart/form-data with a spec field")
    form = await request.form()
    return {key: value for key, value in form.items() if not isinstance(value, UploadFile)}


def json_field(fields: dict[str, str], key: str, default: Any = None) -> Any:
    if key not in fields:
        return default
    try:
        return json.loads(fields[key])
    except ValueError as error:
        raise bad(f"the form field {key} must be JSON: {error}") from error


def optional_bool(value: Any, what: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise bad(f"{what} must be true, false or null")
    return value


def checked_tags(tags: Any) -> list:
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(
        isinstance(tag, dict) and isinstance(tag.get("name"), str) for tag in tags
    ):
        raise bad("metadata.tags must be a list of objects with a name")
    return tags


def checked_metadata(metadata: Any, partial: bool = False) -> dict:
    """Metadata of a spec or deployment: a non-empty name and a summary (unless ``partial``),
    text fields as strings, tags as ``[{name}]``."""
    if not isinstance(metadata, dict):
        raise bad("metadata must be an object")
    for key in ("name", "summary"):
        if key not in metadata and partial:
            continue
        if not isinstance(metadata.get(key), str) or not metadata[key]:
            raise bad(f"metadata.{key} is required and must be a non-empty string")
    for key in METADATA_TEXT:
        if metadata.get(key) is not None and not isinstance(metadata[key], str):
            raise bad(f"metadata.{key} must be a string")
    if "tags" in metadata:
        metadata = {**metadata, "tags": checked_tags(metadata["tags"])}
    return metadata


def checked_release(release: Any) -> dict:
    if not isinstance(release, dict):
        raise bad("release must be an object with a version")
    version = release.get("version")
    if not isinstance(version, str) or not SEMVER.fullmatch(version):
        raise bad(f"release.version must be a valid semantic version, got {version!r}")
    notes = release.get("notes")
    if notes is not None and not isinstance(notes, str):
        raise bad("release.notes must be a string")
    return {"version": version, "notes": notes or ""}


def checked_config(config: Any) -> dict:
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise bad("config must be an object")
    return config


def new_release(body: dict, fields: dict[str, str]) -> dict:
    """A release from the ``spec`` field's release and config and the form's parameters and
    autoRunOnDeploy."""
    release = checked_release(body.get("release"))
    try:
        parameters = checked_definitions(json_field(fields, "parameters"))
    except ParameterError as error:
        raise bad(str(error)) from error
    return {
        **release,
        "config": checked_config(body.get("config")),
        "parameters": parameters,
        "autoRunOnDeploy": optional_bool(json_field(fields, "autoRunOnDeploy"), "autoRunOnDeploy"),
        "createdAt": now(),
        "createdBy": CREATED_BY,
    }


def spec_body(fields: dict[str, str]) -> dict:
    body = json_field(fields, "spec")
    if not isinstance(body, dict):
        raise bad("the form field spec must be a JSON object")
    return body


# ---- specs ----------------------------------------------------------------------------------


def new_spec(fields: dict[str, str]) -> dict:
    body = spec_body(fields)
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise bad("version (of the spec format) is required and must be a number")
    if body.get("kind") not in KINDS:
        raise bad(f"kind must be one of {', '.join(KINDS)}")
    scope = fields.get("scope") or "private"
    if scope not in SCOPES:
        raise bad(f"scope must be one of {', '.join(SCOPES)}")
    tenants = json_field(fields, "tenants", [])
    if not isinstance(tenants, list) or not all(isinstance(t, str) for t in tenants):
        raise bad("tenants must be a JSON list of tenant names")
    stamp = now()
    release = new_release(body, fields)
    return {
        "id": new_id(),
        "version": version,
        "kind": body["kind"],
        "metadata": {"status": "available", **checked_metadata(body.get("metadata"))},
        "featured": optional_bool(json_field(fields, "featured"), "featured"),
        "scope": scope,
        "tenants": tenants,
        "createdAt": stamp,
        "createdBy": CREATED_BY,
        "updatedAt": stamp,
        "updatedBy": CREATED_BY,
        "latestRelease": release,
    }


def spec_name_taken(store: Store, kind: str, name: str, except_id: str | None = None) -> bool:
    query = Query(where=[("kind = ? AND name = ? AND id != ?", [kind, name, except_id or ""])])
    return store.page("peak_spec", query).total > 0


@router.post("/v1/blocks/specs/", status_code=201)
@router.post("/v1/blocks/specs", status_code=201, include_in_schema=False)
async def create_spec(request: Request):
    store = store_of(request)
    spec = new_spec(await form_fields(request))
    name_conflict = HTTPException(
        409, f"A {spec['kind']} spec named {spec['metadata']['name']} already exists"
    )
    if dry_run(request):
        if spec_name_taken(store, spec["kind"], spec["metadata"]["name"]):
            raise name_conflict
        return validated("spec")
    try:
        store.create_spec(spec, spec["latestRelease"])
    except Conflict as error:
        raise name_conflict from error
    return {"id": spec["id"]}


def validated(what: str) -> JSONResponse:
    """The answer to a ``?validate=true`` dry run that found nothing wrong."""
    return JSONResponse({"success": True, "message": f"The {what} is valid"}, status_code=200)


@router.get("/v1/blocks/specs/")
@router.get("/v1/blocks/specs", include_in_schema=False)
async def list_specs(request: Request):
    params = request.query_params
    where = [
        *listing.in_filter("status", listing.one_of(params, "status", SPEC_STATUSES)),
        *listing.in_filter("scope", listing.one_of(params, "scope", SCOPES)),
        *listing.prefix_filters(params, {"name": "name", "title": "title"}),
    ]
    featured = listing.boolean(params, "featured")
    if featured is not None:
        where.append(("featured = ?", [int(featured)]))
    query = listing.listing(params, where, ("createdAt", "createdBy", "name", "title"))
    page = store_of(request).page("peak_spec", query)
    return listing.envelope(page, page.items, query, "specs", "specCount")


@router.get("/v1/blocks/specs/{spec_id}")
async def describe_spec(spec_id: str, request: Request):
    return found(store_of(request).spec, spec_id)


@router.patch("/v1/blocks/specs/{spec_id}")
async def update_spec_metadata(spec_id: str, request: Request):
    store = store_of(request)
    spec = found(store.spec, spec_id)
    body = await json_object(request)
    changed = dict(spec)
    if "metadata" in body:
        metadata = checked_metadata(body["metadata"], partial=True)
        if metadata.get("status", "available") not in SPEC_STATUSES:
            raise bad(f"metadata.status must be one of {', '.join(SPEC_STATUSES)}")
        changed["metadata"] = {**spec["metadata"], **metadata}
    if "featured" in body:
        changed["featured"] = optional_bool(body["featured"], "featured")
    if "scope" in body:
        if body["scope"] not in SCOPES:
            raise bad(f"scope must be one of {', '.join(SCOPES)}")
        changed["scope"] = body["scope"]
    if "tenants" in body:
        if not isinstance(body["tenants"], list):
            raise bad("tenants must be a list of tenant names")
        changed["tenants"] = body["tenants"]
    changed.update(updatedAt=now(), updatedBy=CREATED_BY)
    try:
        store.replace_spec(changed)
    except Conflict as error:
        raise HTTPException(
            409, f"A {spec['kind']} spec named {changed['metadata']['name']} already exists"
        ) from error
    return changed


@router.delete("/v1/blocks/specs/{spec_id}")
async def delete_spec(spec_id: str, request: Request):
    found(store_of(request).delete_spec, spec_id)
    return {}


# ---- releases -------------------------------------------------------------------------------


def version_taken(store: Store, spec_id: str, version: str) -> bool:
    query = Query(where=[("spec_id = ? AND version = ?", [spec_id, version])])
    return store.page("peak_release", query).total > 0


@router.post("/v1/blocks/specs/{spec_id}/releases", status_code=201)
async def create_spec_release(spec_id: str, request: Request):
    store = store_of(request)
    spec = found(store.spec, spec_id)
    fields = await form_fields(request)
    release = new_release(spec_body(fields), fields)
    conflict = HTTPException(409, f"Release {release['version']} of this spec already exists")
    if dry_run(request):
        if version_taken(store, spec_id, release["version"]):
            raise conflict
        return validated("release")
    try:
        with store.transaction():
            store.create_release(spec_id, release)
            store.replace_spec({**spec, "latestRelease": release})
    except Conflict as error:
        raise conflict from error
    return {"id": spec_id, "release": {"version": release["version"]}}


@router.get("/v1/blocks/specs/{spec_id}/releases")
async def list_spec_releases(spec_id: str, request: Request):
    store = store_of(request)
    query = listing.listing(
        request.query_params, [("spec_id = ?", [spec_id])], ("createdAt", "createdBy")
    )
    page = store.page("peak_release", query)
    if page.total == 0:  # every spec has a release: none means no such spec
        found(store.spec, spec_id)
    return listing.envelope(page, page.items, query, "releases", "releaseCount")


@router.get("/v1/blocks/specs/{spec_id}/releases/{version}")
async def describe_spec_release(spec_id: str, version: str, request: Request):
    return found(store_of(request).release, spec_id, version)


# ---- deployments and revisions --------------------------------------------------------------


def revision_view(revision: dict) -> dict:
    """A revision as shown: hidden parameter values masked, bookkeeping left out."""
    shown = {key: value for key, value in revision.items() if not key.startswith("_")}
    shown["parameters"] = masked(revision["parameters"], hidden_names(revision["_definitions"]))
    return shown


def deployment_view(deployment: dict) -> dict:
    return {**deployment, "latestRevision": revision_view(deployment["latestRevision"])}


def new_revision(
    deployment_id: str, number: int, release: dict, parameters: Any, notes: Any
) -> dict:
    if notes is not None and not isinstance(notes, str):
        raise bad("revision.notes must be a string")
    try:
        values = resolved_values(release["parameters"], parameters)
    except ParameterError as error:
        raise bad(str(error)) from error
    return {
        "id": new_id(),
        "deploymentId": deployment_id,
        "revision": number,
        "status": "deployed",
        "notes": notes or "",
        "release": {"version": release["version"]},
        "parameters": values,
        "createdAt": now(),
        "createdBy": CREATED_BY,
        "_definitions": release["parameters"],
    }


def chosen_release(store: Store, spec_id: str, release: Any) -> dict:
    """The release a deployment or revision names, else the spec's latest one."""
    if release is not None and not isinstance(release, dict):
        raise bad("release must be an object with a version")
    version = (release or {}).get("version")
    if version is None:
        return found(store.latest_release, spec_id)
    return found(store.release, spec_id, version)


def revision_notes(body: dict) -> Any:
    revision = body.get("revision")
    if revision is not None and not isinstance(revision, dict):
        raise bad("revision must be an object with notes")
    return (revision or {}).get("notes")


@router.post("/v1/blocks/deployments/", status_code=201)
@router.post("/v1/blocks/deployments", status_code=201, include_in_schema=False)
async def create_deployment(request: Request):
    store = store_of(request)
    body = await json_object(request)
    metadata = checked_metadata(body.get("metadata"))
    spec_ref = body.get("spec")
    if not isinstance(spec_ref, dict) or not isinstance(spec_ref.get("id"), str):
        raise bad("spec.id is required")
    spec = found(store.spec, spec_ref["id"])
    release = chosen_release(store, spec["id"], spec_ref.get("release"))
    deployment_id = new_id()
    revision = new_revision(deployment_id, 1, release, body.get("parameters"), revision_notes(body))
    stamp = now()
    deployment = {
        "id": deployment_id,
        "kind": spec["kind"],
        "metadata": metadata,
        "spec": {"id": spec["id"], "release": {"version": release["version"]}},
        "status": "deployed",
        "latestRevision": revision,
        "createdAt": stamp,
        "createdBy": CREATED_BY,
        "updatedAt": stamp,
        "updatedBy": CREATED_BY,
    }
    try:
        store.create_deployment(deployment, revision)
    except Conflict as error:
        raise HTTPException(
            409, f"A {spec['kind']} deployment named {metadata['name']} already exists"
        ) from error
    return {"id": deployment_id}


@router.get("/v1/blocks/deployments/")
@router.get("/v1/blocks/deployments", include_in_schema=False)
async def list_deployments(request: Request):
    params = request.query_params
    where = [
        *listing.in_filter("status", listing.one_of(params, "status", DEPLOYMENT_STATUSES)),
        *listing.prefix_filters(params, {"name": "name", "title": "title"}),
    ]
    query = listing.listing(params, where, ("createdAt", "createdBy", "name", "title"))
    page = store_of(request).page("peak_deployment", query)
    items = [deployment_view(item) for item in page.items]
    return listing.envelope(page, items, query, "deployments", "deploymentCount")


@router.get("/v1/blocks/deployments/{deployment_id}")
async def describe_deployment(deployment_id: str, request: Request):
    return deployment_view(found(store_of(request).deployment, deployment_id))


@router.patch("/v1/blocks/deployments/{deployment_id}")
async def update_deployment_metadata(deployment_id: str, request: Request):
    store = store_of(request)
    deployment = found(store.deployment, deployment_id)
    body = await json_object(request)
    unknown = set(body) - {"name", "tags", *METADATA_TEXT}
    if unknown:
        raise bad(f"unknown metadata fields {sorted(unknown)}")
    metadata = {**deployment["metadata"], **checked_metadata(body, partial=True)}
    changed = {**deployment, "metadata": metadata, "updatedAt": now(), "updatedBy": CREATED_BY}
    try:
        store.replace_deployment(changed)
    except Conflict as error:
        raise HTTPException(
            409, f"A {deployment['kind']} deployment named {metadata['name']} already exists"
        ) from error
    return deployment_view(changed)


@router.delete("/v1/blocks/deployments/{deployment_id}")
async def delete_deployment(deployment_id: str, request: Request):
    found(store_of(request).delete_deployment, deployment_id)
    return {}


def deploy_revision(store: Store, deployment: dict, revision: dict) -> dict:
    """``revision`` becomes the deployment's latest (and the ones before it superseded)."""
    changed = {
        **deployment,
        "status": revision["status"],
        "spec": {**deployment["spec"], "release": revision["release"]},
        "latestRevision": revision,
        "updatedAt": now(),
        "updatedBy": CREATED_BY,
    }
    store.add_revision(changed, revision)
    return changed


@router.post("/v1/blocks/deployments/{deployment_id}/revisions", status_code=201)
async def create_deployment_revision(deployment_id: str, request: Request):
    store = store_of(request)
    deployment = found(store.deployment, deployment_id)
    body = await json_object(request)
    release = chosen_release(store, deployment["spec"]["id"], body.get("release"))
    number = store.next_revision_number(deployment_id)
    revision = new_revision(
        deployment_id, number, release, body.get("parameters"), revision_notes(body)
    )
    deploy_revision(store, deployment, revision)
    return {"id": deployment_id, "revision": number}


@router.post("/v1/blocks/deployments/{deployment_id}/redeploy")
async def redeploy(deployment_id: str, request: Request):
    store = store_of(request)
    deployment = found(store.deployment, deployment_id)
    if deployment["status"] not in REDEPLOYABLE:
        raise HTTPException(
            409,
            f"Only a failed or warning deployment can be redeployed; this one is "
            f"{deployment['status']}",
        )
    latest = deployment["latestRevision"]
    number = store.next_revision_number(deployment_id)
    revision = {
        **latest,
        "id": new_id(),
        "revision": number,
        "status": "deployed",
        "notes": f"Redeploy of revision {latest['revision']}",
        "createdAt": now(),
        "createdBy": CREATED_BY,
    }
    deploy_revision(store, deployment, revision)
    return {"deploymentId": deployment_id, "revision": number, "revisionId": revision["id"]}


@router.get("/v1/blocks/deployments/{deployment_id}/revisions")
async def list_deployment_revisions(deployment_id: str, request: Request):
    store = store_of(request)
    found(store.deployment, deployment_id)
    params = request.query_params
    where = [
        ("deployment_id = ?", [deployment_id]),
        *listing.in_filter("status", listing.one_of(params, "status", REVISION_STATUSES)),
    ]
    query = listing.listing(params, where, ("createdAt", "createdBy"))
    page = store.page("peak_revision", query)
    items = [revision_view(item) for item in page.items]
    answer = listing.envelope(page, items, query, "revisions", "revisionCount")
    # peak-sdk 1.29.0's revision iterator reads the list under "deployments"
    answer["deployments"] = items
    return answer


@router.get("/v1/blocks/deployments/{deployment_id}/revisions/{revision}")
async def describe_deployment_revision(deployment_id: str, revision: str, request: Request):
    store = store_of(request)
    found(store.deployment, deployment_id)
    number = row_number(revision)
    if number is None:
        raise HTTPException(404, f"The revision {revision!r} does not exist")
    return revision_view(found(store.revision, deployment_id, number))


# ---- run parameters -------------------------------------------------------------------------


def merged(current: dict, given: dict) -> dict:
    """A PATCH of run parameters: the given values over the current ones."""
    return {**current, **given}


@router.get("/v1/deployments/{deployment_id}/parameters/run")
async def get_parameters(deployment_id: str, request: Request):
    deployment = found(store_of(request).deployment, deployment_id)
    return deployment["latestRevision"]["parameters"]["run"]


@router.patch("/v1/deployments/{deployment_id}/parameters/run")
async def patch_parameters(deployment_id: str, request: Request):
    """Merges the given run parameters into the latest revision's (the values a block reads at
    run time), checked against the definitions of that revision's release."""
    store = store_of(request)
    deployment = found(store.deployment, deployment_id)
    body = await json_object(request)
    latest = deployment["latestRevision"]
    try:
        run = merged(
            latest["parameters"]["run"], checked_values(latest["_definitions"]["run"], body, "run")
        )
    except ParameterError as error:
        raise bad(str(error)) from error
    revision = {**latest, "parameters": {**latest["parameters"], "run": run}}
    changed = {**deployment, "latestRevision": revision, "updatedAt": now()}
    with store.transaction():
        store.replace_revision(deployment_id, revision)
        store.replace_deployment(changed)
    return run
