#!/usr/bin/env bash
# Hostile input files: each gives one clear message and exit 3, never a crash or a hang —
# deep nesting, a huge file, invalid UTF-8, NUL bytes, external entities, binary garbage;
# and files with Windows line endings (as DataMiner writes them) are read like any other.
# Usage: test_hostile_inputs.sh DMSCONN DATA
set -u
dmsconn=$1 data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
expect3() { # expect3 WHAT NEEDLE ARGS...
    local what=$1 needle=$2; shift 2
    local out rc
    out=$(timeout 20 "$dmsconn" check --from-here "$@" 2>&1); rc=$?
    if [[ $rc -eq 3 && $out == *"$needle"* && $(wc -l <<<"$out") -le 2 ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); echo "FAIL $what: exit $rc: ${out:0:300}"
    fi
}
python3 - "$work" <<'PY'
import os, sys
w = sys.argv[1]
open(f"{w}/deep.xml", "w").write("<DMS>" + "<a>" * 100000 + "</a>" * 100000 + "</DMS>")
open(f"{w}/deep.yaml", "w").write("cluster: x\nnodes: " + "[" * 100000 + "]" * 100000 + "\n")
open(f"{w}/huge.xml", "wb").write(b"<DMS>" + b" " * (17 * 1024 * 1024) + b"</DMS>")
open(f"{w}/utf8.xml", "wb").write(b'<?xml version="1.0" encoding="utf-8"?>\n<DMS><DMA ip="\xff\xfe\xc3"/></DMS>\n')
open(f"{w}/utf8.yaml", "wb").write(b"cluster: lab\nnodes:\n  - name: \xff\xfe\n    address: 10.0.0.1\n")
open(f"{w}/nul.xml", "wb").write(b'<DMS><DMA ip="10.0.0.1"/>\0<DMA ip="10.0.0.2"/></DMS>')
open(f"{w}/nul.yaml", "wb").write(b"cluster: lab\0\nnodes: []\n")
open(f"{w}/garbage.xml", "wb").write(os.urandom(4096))
open(f"{w}/crlf.xml", "wb").write(b'<?xml version="1.0"?>\r\n<DMS>\r\n  <DMA ip="10.0.0.1"/>\r\n  <DMA ip="10.0.0.2"/>\r\n</DMS>\r\n')
open(f"{w}/crlf.yaml", "wb").write(b"cluster: lab\r\nnodes:\r\n  - name: dma1\r\n    address: 10.0.0.1\r\n")
open(f"{w}/xxe-param.xml", "w").write('<?xml version="1.0"?>\n<!DOCTYPE DMS [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n<DMS><DMA ip="10.0.0.1"/></DMS>\n')
open(f"{w}/dtd.xml", "w").write('<?xml version="1.0"?>\n<!DOCTYPE DMS SYSTEM "http://127.0.0.1:1/evil.dtd">\n<DMS><DMA ip="10.0.0.1"/></DMS>\n')
PY
expect3 "deep XML" "deep.xml" --dms "$work/deep.xml"
expect3 "deep YAML" "deep.yaml" --inventory "$work/deep.yaml"
expect3 "huge file" "expected at most" --dms "$work/huge.xml"
expect3 "invalid UTF-8 in XML" "utf8.xml" --dms "$work/utf8.xml"
expect3 "invalid UTF-8 in YAML" "utf8.yaml" --inventory "$work/utf8.yaml"
expect3 "NUL in XML" "nul.xml" --dms "$work/nul.xml"
expect3 "NUL in YAML" "nul.yaml" --inventory "$work/nul.yaml"
expect3 "binary garbage" "garbage.xml" --dms "$work/garbage.xml"
expect3 "XXE parameter entity" "xxe-param.xml" --dms "$work/xxe-param.xml"
expect3 "garbage profile" "expected" --node a=127.0.0.1 --profile "$work/garbage.xml"
expect3 "a directory" "expected a regular file" --dms "$work"
# an external DTD is never fetched: the file is read, nothing connects anywhere
out=$(timeout 20 strace -f -e trace=connect "$dmsconn" check --from-here --dms "$work/dtd.xml" \
    --as 10.0.0.1 --check telnet 2>&1 >/dev/null)
if grep -q "connect(" <<<"$out"; then
    failed=$((failed + 1)); echo "FAIL: reading an XML with an external DTD connected somewhere"
else
    passed=$((passed + 1))
fi
# CRLF (DataMiner's own files on Windows): read as usual
for f in crlf.xml:--dms crlf.yaml:--inventory; do
    file=${f%%:*} flag=${f#*:}
    out=$("$dmsconn" check --from-here "$flag" "$work/$file" --as 10.0.0.1 --check slnet-remoting \
        --to 10.0.0.1 2>&1); rc=$?
    # only the self pair would match and no check covers it: "nothing to check", after reading
    if [[ $rc -eq 3 && $out == *"nothing to check from dma1"* || $out == *"nothing to check from 10.0.0.1"* ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); echo "FAIL $file with CRLF: $out"
    fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
