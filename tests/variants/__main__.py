"""``python -m tests.variants NAME --port P --db PATH``: serve one broken variant."""

import sys

from . import serve

if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
