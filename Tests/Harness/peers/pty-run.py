#!/usr/bin/env python3
"""Run a command on a new pseudo-terminal, as a person at a terminal would.

usage: pty-run.py [--timeout S] [--rows R --cols C] [--send-after MARKER TEXT] -- CMD ARGS...

The command's stdin, stdout and stderr are the pty slave (24x80 unless told), so `docker run
-it` sees a terminal. Everything it writes is copied to our stdout. With --send-after, TEXT is
typed once MARKER has appeared in the output. Exits with the command's exit code, or 124 on
time-out (after killing it).
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--rows", type=int, default=24)
    parser.add_argument("--cols", type=int, default=80)
    parser.add_argument("--send-after", nargs=2, metavar=("MARKER", "TEXT"))
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    pid, master = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.cols, 0, 0))
        try:
            os.execvp(args.command[0], args.command)
        finally:
            os._exit(127)

    deadline = time.monotonic() + args.timeout
    seen = b""
    sent = args.send_after is None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.buffer.write(b"\n[pty-run: timed out]\n")
            return 124
        ready, _, _ = select.select([master], [], [], min(left, 0.2))
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the slave side is closed, the command is done
                chunk = b""
            if not chunk:
                break
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            seen += chunk
            if not sent and args.send_after[0].encode() in seen:
                os.write(master, args.send_after[1].encode())
                sent = True
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
