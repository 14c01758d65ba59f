"""The suite's own random values (names, client ids), drawn from the run's seed and the test
that asks for them, so that a run with the same --blocks-seed sends the same requests (which
is what lets a recorded run serve as the oracle of a later one)."""

import random
import uuid


class Draws:
    """A run's random values; reseeded before each test (``Run.begin_test``)."""

    def __init__(self) -> None:
        self._rng = random.Random(0)

    def reseed(self, seed: int, test: str) -> None:
        self._rng.seed(f"{seed}:{test}")

    def token_hex(self, nbytes: int) -> str:
        return self._rng.randbytes(nbytes).hex()

    def uuid4(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
