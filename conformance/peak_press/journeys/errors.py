"""Journey PP-JRN-errors: what peak-sdk raises for the server's refusals: a spec or deployment
nobody has (NotFoundException), a taken spec name, release version or deployment name (400, 409
or 422: BadRequestException, ConflictException or UnprocessableEntityException), an invalid
spec or release (400 or 422), a redeploy of a deployment that is not failed (409:
ConflictException) and a token the server does not accept (401: UnauthorizedException). The
exception's class is compared, not the server's words it carries."""

from journey_kit import (
    INVALID,
    MISSING,
    NAMESPACE,
    REFUSED,
    Journey,
    names,
    parts,
    picked,
    workflow_spec,
)

PREFIX = f"{NAMESPACE}err-"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def spec_body(name: str, summary: str | None = "to be refused") -> dict:
    return workflow_spec(name, "Journey errors", summary, {"version": "1.0.0"})


def not_found(journey: Journey) -> None:
    blocks = journey.blocks
    journey.step("describe_unknown_spec", lambda: blocks.describe_spec(UNKNOWN))
    journey.step("delete_unknown_spec", lambda: blocks.delete_spec(UNKNOWN))
    journey.step("releases_of_unknown_spec", lambda: list(blocks.list_spec_releases(UNKNOWN)))
    journey.step("describe_unknown_deployment", lambda: blocks.describe_deployment(UNKNOWN))
    journey.step("get_parameters_of_unknown_deployment", lambda: blocks.get_parameters(UNKNOWN))


def refused(journey: Journey, spec_id: str) -> None:
    blocks = journey.blocks
    journey.step(
        "create_spec_with_a_taken_name",
        lambda: blocks.create_spec(spec_body(f"{PREFIX}spec")),
        either=REFUSED,
    )
    journey.step(
        "create_spec_release_with_a_taken_version",
        lambda: blocks.create_spec_release(
            spec_id, {"release": {"version": "1.0.0"}, "config": {}}
        ),
        either=REFUSED,
    )
    journey.step(
        "create_spec_without_summary",
        lambda: blocks.create_spec(spec_body(f"{PREFIX}no-summary", summary=None)),
        either=INVALID,
    )
    journey.step(
        "create_spec_release_with_a_version_not_semantic",
        lambda: blocks.create_spec_release(spec_id, {"release": {"version": "1.2"}, "config": {}}),
        either=INVALID,
    )
    journey.step("specs_after_refusals", lambda: names(blocks.list_specs(name=PREFIX)))


def deployment_conflicts(journey: Journey, spec_id: str) -> str | None:
    blocks = journey.blocks
    body = {
        "metadata": {"name": f"{PREFIX}dep", "summary": "deployed to be refused"},
        "spec": {"id": spec_id},
    }
    created = journey.step(
        "create_deployment", lambda: blocks.create_deployment(body), read=parts("id")
    )
    deployment_id = journey.name(picked(created, "id")["id"], "deployment id")
    if deployment_id in (None, MISSING):
        return None
    journey.step(
        "create_deployment_with_a_taken_name",
        lambda: blocks.create_deployment(body),
        either=REFUSED,
    )
    journey.step("redeploy_a_deployed_deployment", lambda: blocks.redeploy(deployment_id))
    return deployment_id


def bad_token(journey: Journey) -> None:
    journey.step(
        "list_specs_with_a_wrong_token",
        lambda: names(journey.client(f"wrong-{NAMESPACE}").list_specs(name=PREFIX)),
    )
    journey.step(
        "describe_spec_with_a_wrong_token",
        lambda: journey.client(f"wrong-{NAMESPACE}").describe_spec(UNKNOWN),
    )


def main() -> None:
    journey = Journey()
    blocks = journey.blocks
    journey.name(UNKNOWN, "an id nobody has")
    not_found(journey)
    created = journey.step(
        "create_spec", lambda: blocks.create_spec(spec_body(f"{PREFIX}spec")), read=parts("id")
    )
    spec_id = journey.name(picked(created, "id")["id"], "spec id")
    if spec_id not in (None, MISSING):
        refused(journey, spec_id)
        deployment_id = deployment_conflicts(journey, spec_id)
        if deployment_id is not None:
            journey.step("delete_deployment", lambda: blocks.delete_deployment(deployment_id))
        journey.step("delete_spec", lambda: blocks.delete_spec(spec_id))
    bad_token(journey)
    journey.finish()


if __name__ == "__main__":
    main()
