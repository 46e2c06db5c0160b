#!/usr/bin/env bash
# The README's first command (after `make deps release install`): start swdockd on its
# default configuration and run a container that proves its isolation. No public registry is
# needed: the image is built offline from Debian's busybox-static.
set -euo pipefail
PREFIX=${PREFIX:-/usr/local}
for b in swdock swdockd swdock-shim swdock-runtime; do
    command -v "$PREFIX/bin/$b" >/dev/null || { echo "demo: $PREFIX/bin/$b is not installed" >&2; exit 1; }
done
echo "installed: $("$PREFIX/bin/swdock" --version)"

# swdockd cannot run containers yet: the daemon and container lifecycle are still being built.
# Stop here with a clear message rather than pretend (see docs/STATUS.md).
echo "demo: swdock is installed, but swdockd does not run containers yet (daemon/lifecycle work in progress, see docs/STATUS.md)." >&2
exit 0
