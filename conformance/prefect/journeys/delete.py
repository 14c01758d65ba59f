"""Journey PF-JRN-delete: ``Block.delete`` of a saved block, a load after the delete (the
client's not-found error), a second delete, and a save of the name again."""

from journey_kit import NAMESPACE, Journey
from prefect.blocks.system import Secret

NAME = f"{NAMESPACE}jrn-deleted"


def main() -> None:
    journey = Journey()
    journey.step("save", lambda: bool(Secret(value="short-lived").save(NAME)))
    journey.step("delete", lambda: Secret.delete(NAME))
    journey.step("load_after_delete", lambda: Secret.load(NAME).get())
    journey.step("delete_again", lambda: Secret.delete(NAME))
    journey.step("save_the_name_again", lambda: bool(Secret(value="reborn").save(NAME)))
    journey.step("load_after_save_again", lambda: Secret.load(NAME).get())
    journey.finish()


if __name__ == "__main__":
    main()
