"""PyInstaller entry point of doudi-desk(.exe): the window, or ``--self-test``."""

import sys

from doudi_desk.app import main

if __name__ == "__main__":
    sys.exit(main())
