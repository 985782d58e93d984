"""Child process for test_crash_safety: the foundry CLI (`python -m foundry_desktop.cli.main`
with these arguments) that also says "opening" on stdout whenever it opens a project file.

The test kills the CLI at random moments of its work on the file. Counting from the process
start would not do: its imports alone can take seconds on a loaded machine, and every kill
would land before it touched the file. So the test waits for this line, then kills.
"""

import runpy
import sys


def say_when_opening(event: str, args: tuple) -> None:
    if event == "sqlite3.connect":
        print("opening", flush=True)


sys.addaudithook(say_when_opening)
runpy.run_module("foundry_desktop.cli.main", run_name="__main__", alter_sys=True)
