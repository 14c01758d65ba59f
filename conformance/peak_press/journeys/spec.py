"""Journey PP-JRN-spec: a block spec through peak-sdk from create to delete: create (multipart,
with an artifact folder), describe, list (pages, name prefix, featured, sort), update, a second
release, its description, the release list, and delete, after which the spec and its releases
are not found."""

import tempfile
from pathlib import Path

from journey_kit import (
    MISSING,
    NAMESPACE,
    PARAMETERS,
    Journey,
    names,
    parts,
    picked,
    promised,
    workflow_spec,
)

PREFIX = f"{NAMESPACE}spec-"
SPEC_PARTS = (
    "id",
    "kind",
    "metadata.name",
    "metadata.title",
    "metadata.summary",
    "metadata.status",
    "featured",
    "scope",
    "latestRelease.version",
)


def spec_body(name: str, version: str) -> dict:
    return workflow_spec(
        name,
        f"Journey spec {name.removeprefix(PREFIX)}",
        "created through peak-sdk",
        {"version": version, "notes": "first"},
        tags=[{"name": "journey"}],
    )


def create(journey: Journey, artifact: Path) -> str | None:
    blocks = journey.blocks

    def create_spec(letter: str, version: str, **options) -> dict:
        answer = blocks.create_spec(spec_body(f"{PREFIX}{letter}", version), **options)
        journey.name(picked(answer, "id")["id"], f"spec {letter} id")
        return answer

    created = journey.step(
        "create_spec",
        lambda: create_spec(
            "a",
            "1.0.0",
            artifact={"path": str(artifact)},
            featured=True,
            scope="private",
            parameters=PARAMETERS,
            auto_run_on_deploy=False,
        ),
        read=parts("id"),
    )
    journey.step(
        "create_two_more_specs",
        lambda: [create_spec(letter, "0.1.0") for letter in "bc"],
        read=lambda answers: [picked(answer, "id") for answer in answers],
    )
    spec_id = picked(created, "id")["id"]
    return spec_id if isinstance(spec_id, str) and spec_id != MISSING else None


def read_and_list(journey: Journey, spec_id: str) -> None:
    blocks = journey.blocks
    journey.step("describe_spec", lambda: blocks.describe_spec(spec_id), read=parts(*SPEC_PARTS))
    journey.step(
        "list_specs_over_two_pages",
        lambda: sorted(names(blocks.list_specs(name=PREFIX, page_size=2))),
    )
    journey.step(
        "list_specs_first_page",
        lambda: blocks.list_specs(name=PREFIX, page_size=2, page_number=1, return_iterator=False),
        read=parts("pageCount", "pageNumber", "pageSize"),
    )
    journey.step(
        "list_featured_specs", lambda: names(blocks.list_specs(name=PREFIX, featured=True))
    )
    journey.step(
        "list_specs_by_name_descending",
        lambda: names(blocks.list_specs(name=PREFIX, sort=["name:desc"])),
    )
    journey.step(
        "update_spec_metadata",
        lambda: blocks.update_spec_metadata(
            spec_id, {"metadata": {"title": "Retitled by the SDK"}, "featured": False}
        ),
        read=parts(*SPEC_PARTS),
    )
    journey.step(
        "describe_updated_spec", lambda: blocks.describe_spec(spec_id), read=parts(*SPEC_PARTS)
    )


def release(journey: Journey, spec_id: str) -> None:
    blocks = journey.blocks
    body = {"release": {"version": "1.1.0", "notes": "second"}, "config": {"steps": {}}}
    # "Dictionary containing spec id and release version": the keys are not named
    journey.step(
        "create_spec_release",
        lambda: blocks.create_spec_release(spec_id, body, parameters=PARAMETERS),
        read=promised(the_spec_id=spec_id, the_release_version="1.1.0"),
    )
    journey.step(
        "describe_spec_release",
        lambda: blocks.describe_spec_release(spec_id, "1.1.0"),
        read=parts("version", "notes", "parameters"),
    )
    journey.step(
        "list_spec_releases",
        lambda: [item.get("version") for item in blocks.list_spec_releases(spec_id, page_size=1)],
    )
    journey.step(
        "latest_release_after_release",
        lambda: blocks.describe_spec(spec_id),
        read=parts("latestRelease.version"),
    )


def delete(journey: Journey, spec_id: str) -> None:
    blocks = journey.blocks
    journey.step("delete_spec", lambda: blocks.delete_spec(spec_id))
    journey.step(
        "delete_the_other_specs",
        lambda: [blocks.delete_spec(item["id"]) for item in blocks.list_specs(name=PREFIX)],
    )
    journey.step("describe_deleted_spec", lambda: blocks.describe_spec(spec_id))
    journey.step(
        "describe_release_of_deleted_spec", lambda: blocks.describe_spec_release(spec_id, "1.0.0")
    )
    journey.step("list_specs_after_delete", lambda: names(blocks.list_specs(name=PREFIX)))


def main() -> None:
    journey = Journey()
    with tempfile.TemporaryDirectory() as folder:
        artifact = Path(folder)
        (artifact / "main.py").write_text("print('hello from a conformance journey')\n")
        spec_id = create(journey, artifact)
    if spec_id is not None:
        read_and_list(journey, spec_id)
        release(journey, spec_id)
        delete(journey, spec_id)
    journey.finish()


if __name__ == "__main__":
    main()
