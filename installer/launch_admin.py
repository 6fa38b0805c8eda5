"""PyInstaller entry point of doudi-admin(.exe): the command line (backups, restore, users …)."""

from doudi_desk.cli import run

if __name__ == "__main__":
    run()
