"""Journey PP-JRN-validate (peak-sdk 1.26.0 and newer): ``validate=True`` on create_spec and
create_spec_release, which send ``?validate=true``: a valid spec or release answers success and
nothing is saved (a real create then succeeds); an invalid one, or a taken name or version,
raises what the real create of the same body raises."""

from collections.abc import Callable
from typing import Any

from journey_kit import (
    INVALID,
    MISSING,
    NAMESPACE,
    REFUSED,
    Journey,
    names,
    not_applicable,
    parts,
    picked,
    promised,
    takes_argument,
    workflow_spec,
)

PREFIX = f"{NAMESPACE}val-"


def spec_body(name: str, summary: str | None = "validated first") -> dict:
    return workflow_spec(name, "Journey validate", summary, {"version": "1.0.0"})


def release_body(version: str) -> dict:
    return {"release": {"version": version, "notes": "validated"}, "config": {"steps": {}}}


def same_as_create(
    journey: Journey,
    name: str,
    dry_run: Callable[[], Any],
    create: Callable[[], Any],
    either: tuple[str, ...],
) -> None:
    """The dry run and the real create of the same invalid body raise the same class."""
    journey.step(f"{name}_dry_run", dry_run, either=either)
    journey.step(f"{name}_create", create, either=either)
    journey.step(
        f"{name}_dry_run_raises_what_the_create_raises",
        lambda: journey.raised(f"{name}_dry_run") == journey.raised(f"{name}_create"),
    )


def specs(journey: Journey) -> str | None:
    blocks = journey.blocks
    body = spec_body(f"{PREFIX}spec")
    journey.step(
        "dry_run_of_a_valid_spec",
        lambda: blocks.create_spec(body, validate=True),
        read=parts("success"),
    )
    journey.step("specs_after_the_dry_run", lambda: names(blocks.list_specs(name=PREFIX)))
    created = journey.step("create_spec", lambda: blocks.create_spec(body), read=parts("id"))
    same_as_create(
        journey,
        "taken_name",
        lambda: blocks.create_spec(body, validate=True),
        lambda: blocks.create_spec(body),
        REFUSED,
    )
    invalid = spec_body(f"{PREFIX}no-summary", summary=None)
    same_as_create(
        journey,
        "spec_without_summary",
        lambda: blocks.create_spec(invalid, validate=True),
        lambda: blocks.create_spec(invalid),
        INVALID,
    )
    journey.step("specs_after_the_refusals", lambda: names(blocks.list_specs(name=PREFIX)))
    spec_id = journey.name(picked(created, "id")["id"], "spec id")
    return spec_id if isinstance(spec_id, str) and spec_id != MISSING else None


def releases(journey: Journey, spec_id: str) -> None:
    blocks = journey.blocks
    journey.step(
        "dry_run_of_a_valid_release",
        lambda: blocks.create_spec_release(spec_id, release_body("2.0.0"), validate=True),
        read=parts("success"),
    )
    journey.step(
        "releases_after_the_dry_run",
        lambda: [item.get("version") for item in blocks.list_spec_releases(spec_id)],
    )
    journey.step(
        "latest_release_after_the_dry_run",
        lambda: blocks.describe_spec(spec_id),
        read=parts("latestRelease.version"),
    )
    same_as_create(
        journey,
        "version_not_semantic",
        lambda: blocks.create_spec_release(spec_id, release_body("2.0"), validate=True),
        lambda: blocks.create_spec_release(spec_id, release_body("2.0")),
        INVALID,
    )
    same_as_create(
        journey,
        "taken_version",
        lambda: blocks.create_spec_release(spec_id, release_body("1.0.0"), validate=True),
        lambda: blocks.create_spec_release(spec_id, release_body("1.0.0")),
        REFUSED,
    )
    # "Dictionary containing spec id and release version": the keys are not named
    journey.step(
        "create_the_validated_release",
        lambda: blocks.create_spec_release(spec_id, release_body("2.0.0")),
        read=promised(the_spec_id=spec_id, the_release_version="2.0.0"),
    )


def main() -> None:
    from peak.press.blocks import Block

    if not takes_argument(Block.create_spec, "validate"):
        not_applicable("create_spec takes no validate= before peak-sdk 1.26.0")
        return
    journey = Journey()
    spec_id = specs(journey)
    if spec_id is not None:
        releases(journey, spec_id)
        journey.step("delete_spec", lambda: journey.blocks.delete_spec(spec_id))
    journey.finish()


if __name__ == "__main__":
    main()
