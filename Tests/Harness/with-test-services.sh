#!/bin/bash
# Runs a command with swdock's test services up: the fixture images (built, cached) and three
# real registries on 127.0.0.1 seeded with them by skopeo — anonymous, htpasswd basic auth,
# and bearer-token auth against Tests/Harness/token-server.py.
#
#   with-test-services.sh CMD [ARGS…]   start, export the SWDOCK_TEST_* variables, run CMD,
#                                       stop everything, exit with CMD's status
#   with-test-services.sh --shell       the same with an interactive shell as CMD
#   with-test-services.sh --start       start and leave running; prints the env file to source
#   with-test-services.sh --stop        stop what --start started
#
# Everything it starts is recorded by PID and stopped (and its temp dir removed) on exit,
# interrupt or termination. See Tests/Harness/README.md.
set -uo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HARNESS_DIR/../.." && pwd)
SERVICES_STATE=${SWDOCK_TEST_SERVICES_DIR:-/tmp/swdock-test-services}

SERVICE_NAME=swdock-test-registry
TOKEN_ISSUER=swdock-test-token-issuer

log() { printf 'with-test-services: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Python with `cryptography`: Debian's /usr/bin/python3 (python3-cryptography) first.
pick_python() {
    local candidate
    for candidate in /usr/bin/python3 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import cryptography' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

check_tools() {
    local tool missing=()
    for tool in docker-registry skopeo htpasswd curl setsid zstd; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    [ -x /bin/busybox ] || missing+=("/bin/busybox (busybox-static)")
    [ ${#missing[@]} -eq 0 ] || die "missing: ${missing[*]} (apt packages: see Tests/Harness/README.md)"
    PYTHON=$(pick_python) || die "no python3 with the cryptography module (apt-get install python3-cryptography)"
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ── process bookkeeping ─────────────────────────────────────────────────────────────────
PIDS=()
COMMAND_PID=""
WORK=""
KEEP_RUNNING=0

record_pid() {
    PIDS+=("$1")
    [ -n "$WORK" ] && echo "$1" >>"$WORK/pids"
}

stop_pids() {
    local pid i
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "$@"; do
        for i in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid ignored SIGTERM; killing it"
            kill -KILL "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
    done
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    if [ "$KEEP_RUNNING" = 1 ]; then
        exit "$status"
    fi
    if [ -n "$COMMAND_PID" ] && kill -0 "$COMMAND_PID" 2>/dev/null; then
        log "stopping the command (pid $COMMAND_PID)"
        stop_pids "$COMMAND_PID"
    fi
    if [ ${#PIDS[@]} -gt 0 ]; then stop_pids "${PIDS[@]}"; fi
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then rm -rf "$WORK"; fi
    remove_new_runtime_copies
    remove_new_engine_leftovers
    remove_new_rig_leftovers
    exit "$status"
}

# Daemons under test create their cgroup parents (/swdock, /swdock-test-…) in every v1
# hierarchy, and a daemon with networking on creates swdock0 and its nft table; tests remove
# their containers, but parents and a default bridge outlive them. Remove those that appeared
# during this run (and only empty cgroup directories), no others.
CGROUP_PARENTS_BEFORE=$(ls -1d /sys/fs/cgroup/*/swdock* 2>/dev/null || true)
BRIDGE_BEFORE=$(ip -o link show swdock0 2>/dev/null || true)
remove_new_engine_leftovers() {
    local dir
    for dir in $(ls -1d /sys/fs/cgroup/*/swdock* 2>/dev/null); do
        printf '%s\n' "$CGROUP_PARENTS_BEFORE" | grep -qxF "$dir" && continue
        # Children first; rmdir refuses a cgroup that still has processes, which is then kept.
        find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    if [ -z "$BRIDGE_BEFORE" ] && ip -o link show swdock0 >/dev/null 2>&1; then
        ip link delete swdock0 2>/dev/null
        nft delete table ip swdock-swdock0 2>/dev/null
    fi
}

# The container tests' rigs live in /tmp/swc.*; each rig's teardown unmounts and removes its
# own, but one CI run found a rig's netns directory mounted again after that (an empty,
# self-bind-mounted run/netns, from a daemon-restart test). Unmount and remove the rig
# directories that appeared during this run, no others.
RIGS_BEFORE=$(ls -1d /tmp/swc.* 2>/dev/null || true)
remove_new_rig_leftovers() {
    local dir point
    for dir in $(ls -1d /tmp/swc.* 2>/dev/null); do
        printf '%s\n' "$RIGS_BEFORE" | grep -qxF "$dir" && continue
        for point in $(awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
            umount -l "$point" 2>/dev/null
        done
        rm -rf "$dir"
    done
}

# swdock-runtime keeps a copy of each binary version it runs as on a read-only bind mount under
# /var/lib/swdock-runtime/exe (its CVE-2019-5736 defence). The builds a test run exercises are
# new versions: unmount and remove the copies that appeared during this run, no others.
RUNTIME_COPIES=/var/lib/swdock-runtime/exe
RUNTIME_COPIES_BEFORE=$(ls -1 "$RUNTIME_COPIES" 2>/dev/null || true)
remove_new_runtime_copies() {
    local entry
    for entry in $(ls -1 "$RUNTIME_COPIES" 2>/dev/null); do
        if ! printf '%s\n' "$RUNTIME_COPIES_BEFORE" | grep -qxF "$entry"; then
            umount -l "$RUNTIME_COPIES/$entry" 2>/dev/null
            rm -rf "${RUNTIME_COPIES:?}/$entry"
        fi
    done
}

# ── services ────────────────────────────────────────────────────────────────────────────

# start_registry NAME AUTH_YAML: starts docker-registry on a free port; sets REGISTRY_PORT.
start_registry() {
    local name=$1 auth=$2 dir="$WORK/$1" attempt port pid code i
    mkdir -p "$dir/storage"
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: $(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
$auth
EOF
        setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
        pid=$!
        record_pid "$pid"
        for i in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null)
            if [ "$code" = 200 ] || [ "$code" = 401 ]; then
                REGISTRY_PORT=$port
                return 0
            fi
            sleep 0.1
        done
        log "registry $name did not come up on port $port (attempt $attempt):"
        sed 's/^/  /' "$dir/registry.log" >&2
        stop_pids "$pid"
    done
    die "cannot start registry $name"
}

start_token_server() {
    local dir="$WORK/token" i
    mkdir -p "$dir"
    setsid "$PYTHON" "$HARNESS_DIR/token-server.py" --state-dir "$dir" --service "$SERVICE_NAME" \
        --issuer "$TOKEN_ISSUER" --user "$TOKEN_USER" --password "$TOKEN_PASSWORD" \
        >"$dir/token-server.log" 2>&1 </dev/null &
    TOKEN_PID=$!
    record_pid "$TOKEN_PID"
    for i in $(seq 100); do
        if [ -s "$dir/token.port" ]; then
            TOKEN_PORT=$(cat "$dir/token.port")
            return 0
        fi
        kill -0 "$TOKEN_PID" 2>/dev/null || break
        sleep 0.1
    done
    sed 's/^/  /' "$dir/token-server.log" >&2
    die "token server did not start"
}

# seed REGISTRY CREDS FIXTURE…: skopeo copies every tag of the fixtures (all of them if none given).
seed() {
    local registry=$1 creds=$2
    shift 2
    local -a cred_args=()
    [ -n "$creds" ] && cred_args=(--dest-creds "$creds")
    "$PYTHON" - "$SWDOCK_FIXTURES/catalog.json" "$@" <<'EOF' | while read -r source repository tag digest; do
import json, sys
catalog = json.load(open(sys.argv[1]))
wanted = set(sys.argv[2:])
for fixture in catalog["fixtures"]:
    if wanted and fixture["name"] not in wanted:
        continue
    for tag in fixture["tags"]:
        print(tag["source"], fixture["repository"], tag["tag"], tag["digest"])
EOF
        local transport=${source%%:*} rest=${source#*:} src
        case $transport in
            oci) src="oci:$SWDOCK_FIXTURES/${rest%:*}:${rest##*:}" ;;
            dir) src="dir:$SWDOCK_FIXTURES/$rest" ;;
            *) log "unknown fixture source $source"; return 1 ;;
        esac
        if ! skopeo --policy "$WORK/policy.json" copy --all --preserve-digests --quiet \
            --dest-tls-verify=false "${cred_args[@]}" "$src" "docker://$registry/$repository:$tag" \
            >"$WORK/skopeo.log.$$.$BASHPID" 2>&1; then
            log "skopeo copy $src → $registry/$repository:$tag failed:"
            sed 's/^/  /' "$WORK/skopeo.log.$$.$BASHPID" >&2
            return 1
        fi
        # The registry must hold exactly the manifest bytes that were built.
        local -a inspect_creds=()
        [ -n "$creds" ] && inspect_creds=(--creds "$creds")
        local served
        served=$(skopeo inspect --raw --tls-verify=false "${inspect_creds[@]}" "docker://$registry/$repository:$tag" | sha256sum)
        if [ "sha256:${served%% *}" != "$digest" ]; then
            log "$registry/$repository:$tag serves manifest sha256:${served%% *}, built $digest"
            return 1
        fi
    done
}

write_env() {
    local file=$1 name
    : >"$file"
    for name in SWDOCK_FIXTURES SWDOCK_TEST_REGISTRY SWDOCK_TEST_REGISTRY_BASIC SWDOCK_TEST_REGISTRY_BASIC_USER \
        SWDOCK_TEST_REGISTRY_BASIC_PASSWORD SWDOCK_TEST_REGISTRY_TOKEN SWDOCK_TEST_TOKEN_REALM \
        SWDOCK_TEST_TOKEN_SERVICE SWDOCK_TEST_REGISTRY_TOKEN_USER SWDOCK_TEST_REGISTRY_TOKEN_PASSWORD \
        SWDOCK_TEST_ENV_FILE; do
        printf 'export %s=%q\n' "$name" "${!name}" >>"$file"
    done
}

start_services() {
    local started=$SECONDS
    check_tools
    export SWDOCK_FIXTURES=${SWDOCK_FIXTURES:-$REPO_ROOT/.build/fixtures}
    nice "$PYTHON" "$REPO_ROOT/Tests/Fixtures/build-fixtures.py" "$SWDOCK_FIXTURES" >&2 || die "fixture build failed"

    echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$WORK/policy.json"
    BASIC_USER=swdock-basic
    BASIC_PASSWORD=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(12))')
    TOKEN_USER=swdock-token
    TOKEN_PASSWORD=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(12))')

    start_token_server
    mkdir -p "$WORK/basic"
    htpasswd -Bbn "$BASIC_USER" "$BASIC_PASSWORD" >"$WORK/basic/htpasswd" 2>/dev/null || die "htpasswd failed"

    start_registry anonymous ""
    local anonymous=127.0.0.1:$REGISTRY_PORT
    start_registry basic "auth:
  htpasswd:
    realm: swdock-test-basic
    path: $WORK/basic/htpasswd"
    local basic=127.0.0.1:$REGISTRY_PORT
    start_registry token "auth:
  token:
    realm: http://127.0.0.1:$TOKEN_PORT/token
    service: $SERVICE_NAME
    issuer: $TOKEN_ISSUER
    rootcertbundle: $WORK/token/token.crt"
    local token=127.0.0.1:$REGISTRY_PORT

    # One skopeo stream per registry, in parallel.
    local seed_pids=() pid failed=0
    seed "$anonymous" "" & seed_pids+=($!)
    seed "$basic" "$BASIC_USER:$BASIC_PASSWORD" busybox multiplatform multilayer compression & seed_pids+=($!)
    seed "$token" "$TOKEN_USER:$TOKEN_PASSWORD" busybox multiplatform multilayer compression & seed_pids+=($!)
    for pid in "${seed_pids[@]}"; do wait "$pid" || failed=1; done
    [ "$failed" = 0 ] || die "seeding the registries failed"

    export SWDOCK_TEST_REGISTRY=$anonymous
    export SWDOCK_TEST_REGISTRY_BASIC=$basic
    export SWDOCK_TEST_REGISTRY_BASIC_USER=$BASIC_USER
    export SWDOCK_TEST_REGISTRY_BASIC_PASSWORD=$BASIC_PASSWORD
    export SWDOCK_TEST_REGISTRY_TOKEN=$token
    export SWDOCK_TEST_TOKEN_REALM=http://127.0.0.1:$TOKEN_PORT/token
    export SWDOCK_TEST_TOKEN_SERVICE=$SERVICE_NAME
    export SWDOCK_TEST_REGISTRY_TOKEN_USER=$TOKEN_USER
    export SWDOCK_TEST_REGISTRY_TOKEN_PASSWORD=$TOKEN_PASSWORD
    export SWDOCK_TEST_ENV_FILE=$WORK/env
    write_env "$SWDOCK_TEST_ENV_FILE"
    log "registries up in $((SECONDS - started)) s: anonymous $anonymous, basic $basic, token $token" \
        "(realm $SWDOCK_TEST_TOKEN_REALM); env in $SWDOCK_TEST_ENV_FILE"
}

stop_started() {
    local state=$SERVICES_STATE pid pids=()
    [ -f "$state/pids" ] || die "nothing started (no $state/pids)"
    while read -r pid; do
        # Only stop processes that are still ours: a registry or the token server.
        if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE 'docker-registry|token-server\.py'; then
            pids+=("$pid")
        fi
    done <"$state/pids"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    done
    rm -rf "$state"
    log "stopped ${#pids[@]} processes and removed $state"
}

main() {
    [ $# -gt 0 ] || { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
    case $1 in
        --stop) stop_started; exit 0 ;;
        --start)
            [ -e "$SERVICES_STATE" ] && die "$SERVICES_STATE exists: run --stop first"
            mkdir -p "$SERVICES_STATE"
            WORK=$SERVICES_STATE ;;
        --shell) set -- "${SHELL:-/bin/bash}" -i ;;
        -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    esac
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    if [ -z "$WORK" ]; then
        WORK=$(mktemp -d "${TMPDIR:-/tmp}/swdock-test-services.XXXXXX") || die "mktemp failed"
    fi
    start_services
    if [ "$1" = --start ]; then
        KEEP_RUNNING=1
        echo "$SWDOCK_TEST_ENV_FILE"
        log "running; source $SWDOCK_TEST_ENV_FILE, stop with: $0 --stop"
        exit 0
    fi
    # In the background, so a trapped INT/TERM interrupts `wait` at once (bash would
    # otherwise run the trap only after a foreground command ends); stdin stays ours.
    "$@" <&0 &
    COMMAND_PID=$!
    wait "$COMMAND_PID"
    local status=$?
    COMMAND_PID=""
    exit "$status"
}

main "$@"
