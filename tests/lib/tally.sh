# Sourced by the shell tests: each check counted (ok), each failure counted and named (ko),
# and the counts said at the end by `tally [LABEL]`, the script's last command: it succeeds
# only when nothing failed.
passed=0 failed=0
ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*"; }
tally() {
    echo "${1:+$1: }$passed passed, $failed failed"
    ((failed == 0))
}
