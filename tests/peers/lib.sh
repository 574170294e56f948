# Shared by the real-peer tests (sourced): a work folder removed at exit, servers stopped by
# pid, free loopback ports, a profile written check by check, one dmsconn run, and the
# comparison of each check's state with the one its case expects.
# Every server here is a real implementation nobody in this project wrote, from Debian.
set -u
dmsconn=$1
peers_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib_dir=$peers_dir/../lib
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
    for p in "${pids[@]}"; do # bounded: a server that ignores TERM gets KILL after 2 s
        for _ in $(seq 20); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
        kill -9 "$p" 2> /dev/null
    done
    wait 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# need COMMAND...: the test cannot run without them (scripts/test-packages installs them)
need() {
    for c in "$@"; do
        command -v "$c" > /dev/null || { echo "FAIL: $c missing: run scripts/test-packages"; exit 1; }
    done
}

# start NAME COMMAND...: a server in the background, its output in $work/NAME.log
start() {
    local name=$1
    shift
    "$@" > "$work/$name.log" 2>&1 &
    pids+=($!)
}

# up TARGET...: bounded wait for each (host:port or http:// URL); shows the logs if not
up() {
    python3 "$lib_dir/wait_up.py" --seconds 15 "$@" && return 0
    tail -n 20 "$work"/*.log
    exit 1
}

# A profile of checks from this machine towards itself: check NAME PROBE PORT [udp]
profile=$work/profile.yaml
printf 'name: peers\nbase: none\nchecks:\n' > "$profile"
check() {
    echo "  - {name: $1, probe: $2, port: $3, transport: ${4:-tcp}, from: [any], to: [any], expect: optional}" >> "$profile"
}

# run OUT.json [OPTION...]: one dmsconn run of the profile (or of --check LIST) from a
# source of its own ("tester") towards the nodes (default: one node, local=127.0.0.1)
nodes=(--node local=127.0.0.1)
run() {
    local out=$1
    shift
    timeout 60 "$dmsconn" check --from-here --all-targets --as tester "${nodes[@]}" \
        --profile "$profile" --timeout 2 --json "$out" --quiet "$@"
    [[ -s $out ]] || { echo "FAIL: dmsconn wrote no report ($out)"; exit 1; }
}

# expect OUT.json < CASES: each line "check | state | text in detail or evidence | why";
# a check towards several nodes is named check@node
expect() {
    python3 "$peers_dir/expect.py" "$1"
}
