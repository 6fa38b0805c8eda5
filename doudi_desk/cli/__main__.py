"""``python -m doudi_desk.cli``: the same as ``doudi-admin``."""

from . import main

if __name__ == "__main__":
    raise SystemExit(main())
