"""Run one process of `make run`'s stack, and end it when the stack is gone.

`make run` starts web, worker and beat under honcho, which puts each in a session of
its own and stops them on Ctrl-C. If honcho itself is killed hard (SIGKILL, a closed
terminal's lost signal), nothing would stop them: a worker would go on taking tasks
from the queue. `make run` names honcho's process in HELPDESK_STACK_PID; this wrapper
runs the command as its child and, once that process is gone, stops the child (TERM,
then KILL after a grace period). Without HELPDESK_STACK_PID it simply becomes the
command.

    python -m helpdesk.supervise celery -A helpdesk worker
"""

import os
import signal
import subprocess
import sys

POLL_SECONDS = 0.5
GRACE_SECONDS = 10


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exit_status(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def supervise(command: list[str], stack: int) -> int:
    child = subprocess.Popen(command)
    # Ctrl-C and honcho's TERM reach the whole process group, the child included: the
    # wrapper lets the child shut down in its own time and ends with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        try:
            return exit_status(child.wait(timeout=POLL_SECONDS))
        except subprocess.TimeoutExpired:
            pass
        if not alive(stack):
            print(f"supervise: the stack ({stack}) is gone; stopping {command[0]}", flush=True)
            child.terminate()
            try:
                return exit_status(child.wait(timeout=GRACE_SECONDS))
            except subprocess.TimeoutExpired:
                child.kill()
                return exit_status(child.wait())


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    stack = int(os.environ.get("HELPDESK_STACK_PID") or 0)
    if not stack:
        os.execvp(argv[0], argv)
    return supervise(argv, stack)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
