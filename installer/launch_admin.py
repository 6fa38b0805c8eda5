"""PyInstaller entry point of doudi-admin(.exe): the command line (backups, restore, users …)."""

import sys

from doudi_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
