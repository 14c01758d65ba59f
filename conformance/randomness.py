"""The suite's own random values (names, client ids), drawn from the run's seed and the test
that asks for them, so that a run with the same --blocks-seed sends the same requests (which
is what lets a recorded run serve as the oracle of a later one)."""

import random
import uuid

_rng = random.Random(0)


def reseed(seed: int, test: str) -> None:
    """Called before each test: its draws depend on the seed and its own id only."""
    _rng.seed(f"{seed}:{test}")


def token_hex(nbytes: int) -> str:
    return _rng.randbytes(nbytes).hex()


def uuid4() -> str:
    return str(uuid.UUID(int=_rng.getrandbits(128), version=4))
