#!/usr/bin/env bash
# Wrong services on DataMiner's ports: real nginx (a 404, and auth_basic's 401), apache2 (a
# 403 for everything), OpenSSH (speaks first: its banner) and Redis (waits for a command,
# drops a connection that sends HTTP) meet every protocol probe. None of them is the service
# a probe proves, so every case must be wrong_service (tls for a probe that speaks TLS first:
# the handshake fails before any service could be told), never ok, auth or a local error;
# where the server names itself, the detail says who answered. The telnet probe only tells
# an open port (Telnet must be closed): open is its finding, and SSH's banner is named.
# Usage: test_peers_wrong.sh DMSCONN DATA
source "$(dirname "$0")/lib.sh"
need nginx apache2 /usr/sbin/sshd redis-server ssh-keygen openssl
base=$(python3 "$lib_dir/free_base.py" 6)
nginx=$base nginx_auth=$((base + 1)) apache=$((base + 2)) ssh=$((base + 3)) redis=$((base + 4))
mkdir -p "$work/nginx" "$work/www"
printf 'dms:$apr1$abcdefgh$J0T9hGZc8eTxcLLRG8lzo0\n' > "$work/htpasswd" # a hash; no password is sent
cat > "$work/nginx.conf" << CONF
pid $work/nginx.pid;
error_log $work/nginx-error.log;
worker_processes 1;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
    server { listen 127.0.0.1:$nginx; location / { return 404; } }
    server { listen 127.0.0.1:$nginx_auth; auth_basic "Restricted"; auth_basic_user_file $work/htpasswd;
             location / { return 200; } }
}
CONF
modules=/usr/lib/apache2/modules
cat > "$work/apache.conf" << CONF
ServerName peers.test
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule unixd_module $modules/mod_unixd.so
User www-data
Group www-data
Listen 127.0.0.1:$apache
PidFile $work/apache.pid
ErrorLog $work/apache-error.log
DocumentRoot $work/www
<Location "/">
    Require all denied
</Location>
CONF
[[ -f $modules/mod_unixd.so ]] || sed -i '/unixd\|^User\|^Group/d' "$work/apache.conf"
ssh-keygen -q -t ed25519 -N '' -f "$work/hostkey"
mkdir -p /run/sshd
start nginx nginx -c "$work/nginx.conf" -g 'daemon off;'
start apache apache2 -f "$work/apache.conf" -DFOREGROUND
# MaxStartups: every probe connects at once; sshd's default drops some before its banner
printf 'ListenAddress 127.0.0.1:%s\nHostKey %s\nPidFile %s\nUsePAM no\nMaxStartups 200\n' \
    "$ssh" "$work/hostkey" "$work/sshd.pid" > "$work/sshd_config"
start sshd /usr/sbin/sshd -D -e -f "$work/sshd_config"
start redis redis-server --port "$redis" --bind 127.0.0.1 --save '' --appendonly no --dir "$work"
up 127.0.0.1:$nginx 127.0.0.1:$nginx_auth 127.0.0.1:$apache 127.0.0.1:$ssh 127.0.0.1:$redis
probes=(remoting remoting-tcp cql jmx nats nats-monitor nats-account opensearch-http
    opensearch-transport apigateway-http grpc-health)
tls_probes=(cql-tls brokergateway apigateway opensearch-https)
declare -A port=([nginx]=$nginx [nginx-auth]=$nginx_auth [apache]=$apache [ssh]=$ssh [redis]=$redis)
for server in "${!port[@]}"; do
    for p in "${probes[@]}" "${tls_probes[@]}" telnet; do check "$p-on-$server" "$p" "${port[$server]}"; done
done
run "$work/r.json" --tls-insecure
{
    for server in "${!port[@]}"; do
        for p in "${probes[@]}"; do
            echo "$p-on-$server | wrong_service | | $server is not what $p proves"
        done
        for p in "${tls_probes[@]}"; do
            echo "$p-on-$server | tls | | $p speaks TLS first; $server answers in clear or not at all"
        done
        echo "telnet-on-$server | ok | open | the port is open (the telnet check's finding where Telnet must be closed)"
    done
} > "$work/cases"
expect "$work/r.json" < "$work/cases" || exit 1
# who answered is named where the server says it
expect "$work/r.json" << 'CASES'
opensearch-http-on-nginx-auth | wrong_service | Server nginx | nginx's auth_basic 401 carries no OpenSearch realm: not OpenSearch's security refusing credentials
opensearch-http-on-apache | wrong_service | Apache | apache's 403 is no security_exception of Elasticsearch/OpenSearch
remoting-on-nginx | wrong_service | nginx | no Remoting Server header, no MS-NRBF body: another web server
nats-account-on-nginx | wrong_service | known clash | 9090 answered by another web server: the known port clash
cql-on-ssh | wrong_service | SSH-2.0-OpenSSH | the SSH banner (RFC 4253 4.2) instead of a CQL frame
nats-on-ssh | wrong_service | SSH-2.0-OpenSSH | the SSH banner instead of NATS' INFO line
telnet-on-ssh | ok | SSH-2.0-OpenSSH | open, and the banner says it is SSH, not Telnet
apigateway-http-on-nginx | wrong_service | not the Agent's IIS | nginx's 404 is not IIS saying APIGateway is missing
apigateway-http-on-apache | wrong_service | not the Agent's IIS | apache's 403 neither
CASES
