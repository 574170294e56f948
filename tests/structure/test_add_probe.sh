#!/usr/bin/env bash
# Adding a probe is its file and one line (docs/architecture.md, "Adding a probe"): in a
# scratch copy of the tracked sources, a throw-away probe for Redis's PING (RESP: a client
# sends "PING\r\n" inline, a server answers the simple string "+PONG\r\n"; redis.io/docs,
# "Redis serialization protocol specification") is written as probes/probe_redis_ping.c and
# its line X(redis_ping) added to probes/probe_list.h, nothing else. The copy must build with
# the project's warnings as errors, the probe must be in the registry (profile show), and a
# check with it must read ok against a peer that answers +PONG and wrong_service against one
# that answers anything else. Then the copy with the file but without its line must fail the
# structure test (a dead probe file). Usage: test_add_probe.sh SOURCE_DIR
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
lib=$root/tests/lib
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2> /dev/null; rm -rf "$work"' EXIT
src=$work/src
mkdir -p "$src"
(cd "$root" && git ls-files -z | while IFS= read -r -d '' f; do
    if [[ -e $f ]]; then cp --parents -P "$f" "$src"; fi
done)
(cd "$src" && git init -q && git add -A && git -c user.email=t@t -c user.name=t commit -qm base)

cat > "$src/probes/probe_redis_ping.c" << 'EOF'
/* probes/probe_redis_ping.c — Redis: PING answered by +PONG (RESP simple string). */
#include "dmsconn/probe.h"
#include "probe_util.h"
#include "probes/probe.h"

#include <stdio.h>
#include <string.h>

static size_t ping_hello(const struct dci_probe_ctx *ctx, uint8_t *buf, size_t cap)
{
    (void)ctx;
    return (size_t)snprintf((char *)buf, cap, "PING\r\n");
}

static enum dci_judgement ping_judge(const uint8_t *reply, size_t len, bool closed,
                                     struct dc_finding *out)
{
    if (len < 7 && !closed)
        return DCI_JUDGE_MORE;
    bool pong = len >= 7 && memcmp(reply, "+PONG\r\n", 7) == 0;
    out->state = pong ? DC_STATE_OK : DC_STATE_WRONG_SERVICE;
    snprintf(out->detail, sizeof out->detail, pong ? "PONG" : "not a Redis PONG");
    return DCI_JUDGE_DONE;
}

static const char *ping_selftest(void)
{
    const struct dci_selftest_case cases[] = {
        {"+PONG\r\n", 7, DC_STATE_OK, "PONG"},
        {"-ERR\r\n", 6, DC_STATE_WRONG_SERVICE, "not a Redis"},
    };
    return dci_selftest_dialogue(&dci_probe_redis_ping, cases, DCI_SELFTEST_N(cases));
}

static const struct dci_protocol ping_protocol = {
    .driver = DCI_DRIVER_DIALOGUE,
    .dialogue = {.hello = ping_hello, .judge = ping_judge},
    .selftest = ping_selftest,
    .max_reply = 64,
};

const struct dc_probe_ops dci_probe_redis_ping = {
    .name = "redis-ping",
    .summary = "Redis: PING answered by +PONG",
    .transport = DC_TRANSPORT_TCP,
    .proto = &ping_protocol,
};
EOF
# the file alone, without its line: a probe that names itself (its self-test) does not build,
# the declaration comes from the list; one that does not is named by the structure test
if cmake -S "$src" -B "$work/b0" -DDC_TESTS=OFF -DDC_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
    > /dev/null && cmake --build "$work/b0" -j"$(nproc)" --target dmsconn > "$work/b0.log" 2>&1; then
    objs=$(find "$work/b0/CMakeFiles/dmsconn_core.dir" -name '*.o' | sort)
    out=$(python3 "$src/tests/structure/check_structure.py" "$src" $objs -- 2>&1)
    [[ $out == *"probe_redis_ping.c: defines the probe 'dci_probe_redis_ping', which the registry lacks"* ]] &&
        ok || ko "a probe file without its registry line passed the structure test: ${out: -300}"
else
    grep -q "dci_probe_redis_ping.* undeclared" "$work/b0.log" && ok ||
        ko "the build without the line failed otherwise: $(grep -m3 error "$work/b0.log")"
fi
# and without the self-test's own reference, the build passes and the structure test names it
sed -i 's/return dci_selftest_dialogue(&dci_probe_redis_ping, cases, DCI_SELFTEST_N(cases));/(void)cases;\n    return NULL;/' "$src/probes/probe_redis_ping.c"
if cmake --build "$work/b0" -j"$(nproc)" --target dmsconn > "$work/b0.log" 2>&1; then
    objs=$(find "$work/b0/CMakeFiles/dmsconn_core.dir" -name '*.o' | sort)
    out=$(python3 "$src/tests/structure/check_structure.py" "$src" $objs -- 2>&1)
    [[ $out == *"probe_redis_ping.c: defines the probe 'dci_probe_redis_ping', which the registry lacks"* ]] &&
        ok || ko "a dead probe file passed the structure test: ${out: -300}"
else
    ko "the copy without the probe's line does not build: $(grep -m3 error "$work/b0.log")"
fi
rm -rf "$work/b0"
(cd "$src" && git checkout -q -- . 2> /dev/null; true)
sed -i 's/(void)cases;/return dci_selftest_dialogue(\&dci_probe_redis_ping, cases, DCI_SELFTEST_N(cases));/; /^    return NULL;$/d' "$src/probes/probe_redis_ping.c"

# its line: then the whole change is two files, one line in the second
# (after the list's last line, the only one without a line continuation)
sed -i 's/^    X(\([a-z_]*\))$/    X(\1)         \\\n    X(redis_ping)/' "$src/probes/probe_list.h"
changed=$(cd "$src" && git add -A && git diff --cached --numstat)
[[ $(wc -l <<< "$changed") -eq 2 && $changed == *"probes/probe_redis_ping.c"* &&
    $(grep 'probes/probe_list.h' <<< "$changed" | cut -f1) -le 2 ]] &&
    ok || ko "adding the probe touched more than its file and one line: $changed"
if cmake -S "$src" -B "$work/b" -DDC_TESTS=OFF -DDC_WERROR=ON -DCMAKE_BUILD_TYPE=Debug > /dev/null &&
    cmake --build "$work/b" -j"$(nproc)" --target dmsconn > "$work/b.log" 2>&1; then
    ok
else
    ko "the copy with the new probe does not build: $(grep -m5 error "$work/b.log")"
fi
bin=$work/b/dmsconn
printf 'base: none\nchecks:\n  - {name: redis, probe: redis-ping, port: 16379, from: [any], to: [any]}\n' > "$work/p.yaml"
"$bin" profile show --profile "$work/p.yaml" 2>&1 | grep -q redis-ping && ok ||
    ko "the new probe is not in the registry: $("$bin" profile show --profile "$work/p.yaml" 2>&1 | tail -2)"
pids+=("$(python3 "$lib/listen_and_close.py" 127.0.0.1 16379 30 '+PONG\r\n')")
pids+=("$(python3 "$lib/listen_and_close.py" 127.0.0.2 16379 30 '-ERR unknown\r\n')")
timeout 20 "$bin" check --from-here --as here --node here=127.0.0.3 --node good=127.0.0.1 \
    --node bad=127.0.0.2 --profile "$work/p.yaml" --timeout 2 --json "$work/r.json" --quiet
python3 - "$work/r.json" << 'PY' && ok || ko "the new probe's verdicts"
import json, sys
r = {x["to"]: x for x in json.load(open(sys.argv[1]))["results"]}
assert r["good"]["state"] == "ok" and r["good"]["detail"] == "PONG", r["good"]
assert r["bad"]["state"] == "wrong_service", r["bad"]
PY
tally
