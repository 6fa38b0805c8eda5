"""Pure domain: households, members, policy arithmetic, case rules.

Imports the standard library and small pure helpers (python-stdnum, chinese-calendar) only.
"""
