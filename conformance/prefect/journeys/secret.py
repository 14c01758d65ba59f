"""Journey PF-JRN-secret: ``Secret`` save, load, a refused save without overwrite, an
overwrite, and a load of a name nobody saved."""

from journey_kit import NAMESPACE, Journey
from prefect.blocks.system import Secret

NAME = f"{NAMESPACE}jrn-secret"


def main() -> None:
    journey = Journey()
    journey.step("save", lambda: bool(Secret(value="first-value").save(NAME)))
    journey.step("load", lambda: Secret.load(NAME).get())
    journey.step("save_without_overwrite", lambda: bool(Secret(value="refused").save(NAME)))
    journey.step("load_after_refused_save", lambda: Secret.load(NAME).get())
    journey.step("save_with_overwrite", lambda: bool(Secret(value="second").save(NAME, True)))
    journey.step("load_after_overwrite", lambda: Secret.load(NAME).get())
    journey.step("load_unknown_name", lambda: Secret.load(f"{NAME}-never-saved").get())
    journey.finish()


if __name__ == "__main__":
    main()
