#!/usr/bin/env bash
# Secrets never leak: recognisable secrets are planted in every credentials file (agent
# token, SNMP community, OpenSearch password, NATS credentials) and in DataMiner's own files
# (DMS.xml's Redirect pwd, DB.xml's PWD); then every output format, the terminal report,
# the agents' logs and the error paths are searched for them.
# Usage: test_secrets.sh DMSCONN DATA
set -u
dmsconn=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
umask 077
base=$(python3 "$here/../lib/free_base.py" 8 127.0.1.31 127.0.1.32)
secrets=(TOKEN-SECRET-7c1f9a2b SNMP-SECRET-44ab OS-SECRET-9e8d NATS-SECRET-5f5f DMS-PWD-SECRET-31
    DB-PWD-SECRET-77)
echo "${secrets[0]}-padding-padding" > "$work/token"
echo "${secrets[1]}" > "$work/community"
echo "admin:${secrets[2]}" > "$work/os"
printf -- '-----BEGIN NATS USER JWT-----\n%s\n------END NATS USER JWT------\n' "${secrets[3]}" > "$work/nats.creds"
cat > "$work/DMS.xml" <<XML
<DMS xmlns="http://www.skyline.be/config/dms"><Cluster name="secrets"/>
<DMA ip="127.0.1.31"/><DMA ip="127.0.1.32"/>
<Redirects><Redirect to="127.0.1.32" via="http://127.0.1.32:$((base + 5))/SLNetService" user="u" pwd="${secrets[4]}"/></Redirects>
</DMS>
XML
cat > "$work/DB.xml" <<XML
<DataBases><DataBase active="true" type="CassandraCluster"><DBServer>127.0.1.33</DBServer>
<UID>dms</UID><PWD>${secrets[5]}</PWD></DataBase>
<DataBase active="true" local="false" type="MySQL"><DBServer>127.0.1.34</DBServer><PWD>${secrets[5]}</PWD></DataBase></DataBases>
XML
cat > "$work/inventory.yaml" <<YAML
nodes:
  - {name: dma1, address: 127.0.1.31, roles: [dma], agent: "127.0.1.31:$((base + 1))"}
  - {name: dma2, address: 127.0.1.32, roles: [dma], agent: "127.0.1.32:$((base + 2))"}
YAML
cat > "$work/profile.yaml" <<YAML
checks:
  - {name: snmp, probe: snmp, port: $((base + 3)), transport: udp, from: [dma], to: [dma]}
  - {name: os, probe: opensearch-http, port: $((base + 4)), from: [dma], to: [dma], expect: optional}
YAML
python3 "$here/../responders/responder.py" --lifetime 60 "127.0.1.31:$((base + 4))=os-401" \
    "127.0.1.32:$((base + 4))=os-401" > /dev/null 2>&1 &
pids+=($!)
common=(--dms "$work/DMS.xml" --db "$work/DB.xml" --inventory "$work/inventory.yaml"
    --profile "$work/profile.yaml" --snmp-community-file "$work/community"
    --opensearch-credentials "$work/os" --nats-creds "$work/nats.creds")
for i in 1 2; do
    "$dmsconn" agent "${common[@]}" --token-file "$work/token" --listen "127.0.1.3$i:$((base + i))" \
        --bind-source > "$work/agent$i.log" 2>&1 &
    pids+=($!)
done
sleep 1
timeout 30 "$dmsconn" check "${common[@]}" --token-file "$work/token" --as dma1 --timeout 1 \
    --json "$work/r.json" --csv "$work/r.csv" --junit "$work/r.xml" --prom "$work/r.prom" \
    --html "$work/r.html" --history "$work/hist" --all --no-color > "$work/stdout.txt" 2> "$work/stderr.txt"
"$dmsconn" diff "$work/r.json" "$work/r.json" > "$work/diff.txt" 2>&1
# error paths that read the files: a wrong token on purpose, a broken profile
echo "wrong-token-wrong-token" > "$work/wrong"
timeout 30 "$dmsconn" check "${common[@]}" --token-file "$work/wrong" --as dma1 --timeout 1 \
    > "$work/wrong.txt" 2>&1
printf 'checks:\n  - {probe: nope, port: 1, from: [dma], to: [dma]}\n' > "$work/bad.yaml"
"$dmsconn" check --from-here "${common[@]/$work\/profile.yaml/$work/bad.yaml}" > "$work/bad.txt" 2>&1
# the sample DataMiner folders: their secrets (passwords, the proxy's password, the NATS
# creds path, the ignition values) never reach a plan, a profile or a message; no probe runs
samples=$2/dataminer
for d in "$samples"/*/; do
    n=$(basename "$d")
    for f in text json csv; do
        "$dmsconn" plan --dataminer-dir "$d" --format "$f" > "$work/plan-$n-$f.txt" 2>&1
    done
    "$dmsconn" profile show --dataminer-dir "$d" > "$work/profile-$n.txt" 2>&1
done
sample_secrets=(sample-secret c2FtcGxlLWlnbml0aW9u DataMinerUser.creds not-a-real-secret-42
    also-not-real-7 Tk9UX0FfUkVBTF9QQVNTV09SRA==)
kill "${pids[@]:1}" 2>/dev/null; sleep 0.5
passed=0 failed=0
[[ -s $work/plan-current-10.6-json.txt ]] && grep -q '"schema":"dmsconn.plan/1"' \
    "$work/plan-current-10.6-json.txt" && passed=$((passed + 1)) \
    || { failed=$((failed + 1)); echo "FAIL: no plan of the samples"; }
for s in "${sample_secrets[@]}"; do
    if grep -l -- "$s" "$work"/plan-*.txt "$work"/profile-*.txt 2>/dev/null; then
        failed=$((failed + 1)); echo "FAIL: sample secret $s leaked into the files above"
    else
        passed=$((passed + 1))
    fi
done
[[ -s $work/r.json && -s $work/r.html && -n $(ls "$work/hist") ]] && passed=$((passed + 1)) \
    || { failed=$((failed + 1)); echo "FAIL: the run wrote no reports"; }
outputs=("$work"/r.* "$work"/hist/* "$work"/*.txt "$work"/agent*.log)
for s in "${secrets[@]}"; do
    if grep -l -- "$s" "${outputs[@]}" 2>/dev/null; then
        failed=$((failed + 1)); echo "FAIL: secret $s leaked into the files above"
    else
        passed=$((passed + 1))
    fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
