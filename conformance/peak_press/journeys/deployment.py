"""Journey PP-JRN-deployment: a block deployment through peak-sdk from create to delete: create,
describe (a hidden parameter's value not shown), update, list, a new revision and its
description, a redeploy once the test hook has put it in failed, the revision list, the run
parameters read and patched, and delete, after which it is not found.

A redeploy may deploy the latest revision again or a copy of it as a new one (both are Peak's
words: "Redeploy latest revision"); the steps record what both have in common: the answer names
the deployment and the revision that is then the latest, older revisions are superseded. Where
the documents name what an answer holds but not its keys (a release's or a revision's create,
a redeploy), the step reads the values it holds."""

import json
from typing import Any

from journey_kit import (
    MISSING,
    NAMESPACE,
    PARAMETERS,
    Journey,
    holds,
    names,
    parts,
    picked,
    promised,
    workflow_spec,
)

PREFIX = f"{NAMESPACE}dep-"
HIDDEN = f"hidden-{NAMESPACE}value"
DEPLOYMENT_PARTS = (
    "id",
    "kind",
    "metadata.name",
    "metadata.title",
    "metadata.summary",
    "spec.id",
    "spec.release.version",
    "status",
    "latestRevision.revision",
    "latestRevision.status",
    "latestRevision.release.version",
    "latestRevision.parameters.run.limit",
)


def spec_body(name: str) -> dict:
    return workflow_spec(
        name, "Journey deployment spec", "to deploy", {"version": "1.0.0", "notes": "first"}
    )


def deployment_body(name: str, spec_id: str) -> dict:
    return {
        "metadata": {"name": name, "summary": "deployed by the SDK", "title": "Journey"},
        "parameters": {"build": {}, "run": {"api_key": HIDDEN}},
        "revision": {"notes": "first"},
        "spec": {"id": spec_id, "release": {"version": "1.0.0"}},
    }


def described(deployment: dict) -> dict:
    """The parts of a deployment the journey reads, and whether the hidden value shows."""
    shown = HIDDEN in json.dumps(deployment)
    return {**picked(deployment, *DEPLOYMENT_PARTS), "hidden value shown": shown}


def created_id(answer: Any) -> str | None:
    found = picked(answer, "id")["id"]
    return found if isinstance(found, str) and found != MISSING else None


def create(journey: Journey) -> tuple[str | None, str | None]:
    blocks = journey.blocks
    spec = journey.step(
        "create_spec",
        lambda: blocks.create_spec(spec_body(f"{PREFIX}spec"), parameters=PARAMETERS),
        read=parts("id"),
    )
    spec_id = journey.name(created_id(spec), "spec id")
    if spec_id is None:
        return None, None
    # "Dictionary containing spec id and release version": the keys are not named
    journey.step(
        "create_second_release",
        lambda: blocks.create_spec_release(
            spec_id,
            {"release": {"version": "1.1.0"}, "config": {"steps": {}}},
            parameters=PARAMETERS,
        ),
        read=promised(the_spec_id=spec_id, the_release_version="1.1.0"),
    )
    created = journey.step(
        "create_deployment",
        lambda: blocks.create_deployment(deployment_body(f"{PREFIX}a", spec_id)),
        read=parts("id"),
    )
    deployment_id = journey.name(created_id(created), "deployment a id")
    second = journey.step(
        "create_second_deployment",
        lambda: blocks.create_deployment(deployment_body(f"{PREFIX}b", spec_id)),
        read=parts("id"),
    )
    journey.name(created_id(second), "deployment b id")
    return spec_id, deployment_id


def read_and_revise(journey: Journey, deployment_id: str) -> None:
    blocks = journey.blocks
    journey.step(
        "describe_deployment", lambda: blocks.describe_deployment(deployment_id), read=described
    )
    journey.step(
        "update_deployment_metadata",
        lambda: blocks.update_deployment_metadata(deployment_id, {"title": "Retitled deployment"}),
        read=parts("metadata.title", "metadata.summary"),
    )
    journey.step(
        "list_deployments_over_two_pages",
        lambda: sorted(names(blocks.list_deployments(name=PREFIX, page_size=1))),
    )
    revision = {
        "release": {"version": "1.1.0"},
        "revision": {"notes": "the second release"},
        "parameters": {"run": {"api_key": HIDDEN, "limit": 5}},
    }
    # "ID of the created Block deployment, and the new Revision number": no keys named
    journey.step(
        "create_deployment_revision",
        lambda: blocks.create_deployment_revision(deployment_id, revision),
        read=promised(the_deployment_id=deployment_id, revision_number_2=2),
    )
    journey.step(
        "describe_deployment_revision",
        lambda: blocks.describe_deployment_revision(deployment_id, "2"),
        read=parts("revision", "notes", "release.version", "parameters.run.limit"),
    )


def redeployed(answer: dict, deployment_id: str, latest: dict) -> dict:
    """A redeploy's answer as both readings give it: it names the deployment and the revision
    that is then the latest (by its number), and that is revision 2 again or a new revision 3
    ("A dictionary containing details of the deployment": no keys named)."""
    number = latest.get("revision", MISSING)
    return {
        "holds the deployment id": holds(answer, deployment_id),
        "holds the latest revision's number": holds(answer, number),
        "the latest revision": "2 (in place) or 3 (a copy)" if number in (2, 3) else number,
    }


def redeploy(journey: Journey, deployment_id: str) -> None:
    blocks = journey.blocks
    journey.step("set_failed_through_the_hook", lambda: journey.set_status(deployment_id, "failed"))

    def read(answer: dict) -> dict:
        latest = blocks.describe_deployment(deployment_id)["latestRevision"]
        return redeployed(answer, deployment_id, latest)

    journey.step("redeploy", lambda: blocks.redeploy(deployment_id), read=read)
    journey.step(
        "describe_redeployed",
        lambda: blocks.describe_deployment(deployment_id),
        read=parts(
            "status",
            "latestRevision.status",
            "latestRevision.release.version",
            "latestRevision.parameters.run.limit",
        ),
    )

    def revisions() -> dict:
        listed = list(blocks.list_deployment_revisions(deployment_id, page_size=2))
        ordered = sorted(listed, key=lambda item: item.get("revision", 0))
        numbers = [item.get("revision") for item in ordered]
        return {
            "numbered 1 to the latest": numbers == list(range(1, len(numbers) + 1)),
            "older statuses": sorted({item.get("status") for item in ordered[:-1]}),
            "latest status": ordered[-1].get("status") if ordered else MISSING,
        }

    journey.step("list_deployment_revisions_over_pages", revisions)


def parameters_and_delete(journey: Journey, spec_id: str, deployment_id: str) -> None:
    blocks = journey.blocks
    journey.step(
        "get_parameters",
        lambda: blocks.get_parameters(deployment_id=deployment_id),
        read=parts("limit"),
    )
    journey.step(
        "patch_parameters",
        lambda: blocks.patch_parameters(deployment_id, {"limit": 9}),
        read=parts("limit"),
    )
    journey.step(
        "get_patched_parameters",
        lambda: blocks.get_parameters(deployment_id=deployment_id),
        read=parts("limit"),
    )
    journey.step("delete_deployment", lambda: blocks.delete_deployment(deployment_id))
    journey.step(
        "delete_the_other_deployment",
        lambda: [blocks.delete_deployment(i["id"]) for i in blocks.list_deployments(name=PREFIX)],
    )
    journey.step("describe_deleted_deployment", lambda: blocks.describe_deployment(deployment_id))
    journey.step("delete_spec", lambda: blocks.delete_spec(spec_id))


def main() -> None:
    journey = Journey()
    spec_id, deployment_id = create(journey)
    if deployment_id is not None:
        read_and_revise(journey, deployment_id)
        redeploy(journey, deployment_id)
        parameters_and_delete(journey, spec_id, deployment_id)
    elif spec_id is not None:
        journey.step("delete_spec", lambda: journey.blocks.delete_spec(spec_id))
    journey.finish()


if __name__ == "__main__":
    main()
