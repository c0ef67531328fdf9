# The POP3 examples against real peers: Python's poplib, curl's pop3:// and
# fetchmail against pop3-server; pop3-fetch against pop3-server and against
# Dovecot's POP3 server, in clear and with STLS. Every message that crosses
# is compared byte for byte with what the server holds.

echo "--- building pop3-server and pop3-fetch"
cargo build --quiet --example pop3-server --example pop3-fetch
pop3_server="${CARGO_TARGET_DIR:-target}/debug/examples/pop3-server"
pop3_fetch="${CARGO_TARGET_DIR:-target}/debug/examples/pop3-fetch"
px="$work/pop3ex"
mkdir -p "$px"

# A CA and a certificate it signs for 127.0.0.1 and localhost, for
# --tls-cert/--tls-key on the server side and --ca on pop3-fetch's.
pop3ex_certs() { # DIR
    local d=$1
    mkdir -p "$d"
    timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mailwire test CA" \
        -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
    timeout 60 openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
    timeout 60 openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 2 -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null
}
pop3ex_certs "$px/certs"

maildir="$px/Maildir"
python3 .ci/peers/pop3_ex_maildir.py make "$maildir"
port=$(free_port)
"$pop3_server" --listen "127.0.0.1:$port" --maildir "$maildir" --user alice:secret \
    --tls-cert "$px/certs/server.pem" --tls-key "$px/certs/server.key" >"$px/server.log" 2>&1 &
pids+=($!)
wait_port "$port"
pop3ex_fail() { echo "pop3-server's log:"; cat "$px/server.log"; return 1; }

echo "--- Python's poplib against pop3-server"
timeout 120 python3 .ci/peers/pop3_ex_poplib.py "$port" "$maildir" alice secret || pop3ex_fail
grep -q 'login refused: maildrop in use' "$px/server.log" || pop3ex_fail

echo "--- STLS buffer hygiene and the idle timeout (raw sockets)"
timeout 60 python3 .ci/peers/pop3_ex_raw.py stls "$port" alice secret || pop3ex_fail
grep -q 'dropping bytes pipelined after STLS.*octets=15' "$px/server.log" || pop3ex_fail
idle_port=$(free_port)
"$pop3_server" --listen "127.0.0.1:$idle_port" --maildir "$maildir" --user alice:secret \
    --no-stls --idle-timeout 2 >"$px/idle.log" 2>&1 &
pids+=($!)
wait_port "$idle_port"
count=$(python3 .ci/peers/pop3_ex_maildir.py wire "$maildir" | wc -l)
timeout 60 python3 .ci/peers/pop3_ex_raw.py idle "$idle_port" alice secret 2 "$count" ||
    { cat "$px/idle.log"; false; }
grep -q 'idle timeout' "$px/idle.log"

echo "--- curl's pop3:// against pop3-server (LIST, UIDL, RETR; SASL mechanisms, APOP, STLS)"
# The messages in POP3 order with their sizes on the wire.
python3 .ci/peers/pop3_ex_maildir.py wire "$maildir" >"$px/wire.txt"
awk '{ printf "%d %d\r\n", NR, $2 }' "$px/wire.txt" >"$px/list.expected"
timeout 30 curl -sS --max-time 20 -u alice:secret "pop3://127.0.0.1:$port/" -o "$px/list.curl"
cmp "$px/list.expected" "$px/list.curl"
awk '{ printf "%d %s\r\n", NR, $1 }' "$px/wire.txt" >"$px/uidl.expected"
timeout 30 curl -sS --max-time 20 -u alice:secret -X UIDL "pop3://127.0.0.1:$port/" -o "$px/uidl.curl"
cmp "$px/uidl.expected" "$px/uidl.curl"
mkdir -p "$px/curl"
n=0
while read -r unique _size; do
    n=$((n + 1))
    case $n in
    1) login=() ;;                                  # curl picks the strongest SASL mechanism offered
    2) login=(--login-options AUTH=PLAIN) ;;
    3) login=(--login-options AUTH=+APOP) ;;
    *) login=(--login-options AUTH=LOGIN --ssl-reqd --cacert "$px/certs/ca.pem") ;; # STLS, certificate checked
    esac
    timeout 30 curl -sS --max-time 20 -u alice:secret "${login[@]}" "pop3://127.0.0.1:$port/$n" \
        -o "$px/curl/$(python3 -c 'import sys; sys.path.insert(0, ".ci/peers"); from pop3_ex_maildir import escaped; print(escaped(sys.argv[1]))' "$unique")"
done <"$px/wire.txt"
python3 .ci/peers/pop3_ex_maildir.py byuid "$px/curl" "$maildir"
[ "$(grep -c 'TLS established' "$px/server.log")" -ge 3 ] || pop3ex_fail # poplib, raw, curl
grep -q 'how="AUTH CRAM-MD5"' "$px/server.log" && grep -q 'how="AUTH PLAIN"' "$px/server.log" &&
    grep -q 'how="AUTH LOGIN"' "$px/server.log" && grep -q 'how="APOP"' "$px/server.log" || pop3ex_fail

echo "--- pop3-fetch against pop3-server (STLS, certificate checked with --ca; resumable)"
timeout 120 "$pop3_fetch" --server "127.0.0.1:$port" --user alice --pass secret --out "$px/fetch-self" \
    --starttls --ca "$px/certs/ca.pem" | tee "$px/fetch-self.txt"
python3 .ci/peers/pop3_ex_maildir.py byuid "$px/fetch-self" "$maildir"
timeout 120 "$pop3_fetch" --server "127.0.0.1:$port" --user alice --pass secret --out "$px/fetch-self" \
    --starttls --ca "$px/certs/ca.pem" | tee "$px/fetch-self2.txt"
grep -q " 0 fetched (0 octets), $count already on disk" "$px/fetch-self2.txt"
# Without --ca the test CA is not trusted: exit status 1.
status=0
timeout 60 "$pop3_fetch" --server "127.0.0.1:$port" --user alice --pass secret --out "$px/fetch-none" \
    --starttls >/dev/null 2>"$px/fetch-untrusted.err" || status=$?
[ "$status" = 1 ]
grep -q 'TLS handshake' "$px/fetch-untrusted.err"
# --starttls against a server without STLS: refused before any password, exit 1.
status=0
timeout 60 "$pop3_fetch" --server "127.0.0.1:$idle_port" --user alice --pass secret --out "$px/fetch-none" \
    --starttls --insecure >/dev/null 2>"$px/fetch-nostls.err" || status=$?
[ "$status" = 1 ]
grep -q 'does not offer STLS' "$px/fetch-nostls.err"
# Usage errors: exit status 2.
status=0
"$pop3_fetch" --server "127.0.0.1:$port" --user alice >/dev/null 2>&1 || status=$?
[ "$status" = 2 ]

echo "--- fetchmail against pop3-server (STLS checked against the test CA; fetchall keep, then fetchall with deletion; --mda saves each message)"
snapshot="$px/Maildir.before-fetchmail"
cp -a "$maildir" "$snapshot"
mkdir -p "$px/fetchmail/home" "$px/fetchmail/keep" "$px/fetchmail/flush"
pop3ex_fetchmail() { # OUTDIR OPTIONS
    cat >"$px/fetchmail/rc" <<RC
set no syslog
poll 127.0.0.1 with proto POP3 port $port
  user "alice" there with password "secret" is "root" here
  options $2 sslcertck sslcertfile "$px/certs/ca.pem" sslcommonname "localhost"
  mda "python3 $PWD/.ci/peers/pop3_ex_mda.py $1"
RC
    chmod 600 "$px/fetchmail/rc"
    HOME="$px/fetchmail/home" timeout 120 fetchmail --nodetach -f "$px/fetchmail/rc" \
        --idfile "$px/fetchmail/ids" --pidfile "$px/fetchmail/pid" -v >>"$px/fetchmail/log" 2>&1 ||
        { cat "$px/fetchmail/log"; false; }
}
pop3ex_fetchmail "$px/fetchmail/keep" "fetchall keep"
python3 .ci/peers/pop3_ex_maildir.py same "$px/fetchmail/keep" "$snapshot" --fetchmail
pop3ex_fetchmail "$px/fetchmail/flush" "fetchall no keep"
python3 .ci/peers/pop3_ex_maildir.py same "$px/fetchmail/flush" "$snapshot" --fetchmail
python3 .ci/peers/pop3_ex_maildir.py empty "$maildir"
grep -q 'POP3> STLS' "$px/fetchmail/log"
echo "  fetchmail used STLS; the Maildir is empty after its deletions"

echo "--- pop3-fetch against Dovecot's POP3 server (in clear, then STLS; --delete)"
dv="$px/dovecot"
dv_imap=$(free_port)
dv_pop3=$(free_port)
.ci/peers/dovecot.sh "$dv" "$dv_imap" "$dv_pop3"
pop3ex_stop_dovecot() { doveadm -c "$px/dovecot/dovecot.conf" stop 2>/dev/null || true; }
on_exit pop3ex_stop_dovecot
dv_maildir="$dv/mail/test/Maildir"
python3 .ci/peers/pop3_ex_maildir.py make "$dv_maildir"
# Dovecot serves files as stored: keep them CRLF so "as Dovecot holds them" is one thing.
rm "$dv_maildir"/new/1700000004.*
chown -R mailwire:mailwire "$dv/mail"
cp -a "$dv_maildir" "$px/dovecot-held"
dv_count=$(python3 .ci/peers/pop3_ex_maildir.py wire "$dv_maildir" | wc -l)

timeout 120 "$pop3_fetch" --server "127.0.0.1:$dv_pop3" --user test --pass secret --out "$px/fetch-dovecot" |
    tee "$px/fetch-dovecot.txt"
grep -q "$dv_count messages on the server, $dv_count fetched" "$px/fetch-dovecot.txt"
python3 .ci/peers/pop3_ex_maildir.py same "$px/fetch-dovecot" "$px/dovecot-held"

# The same Dovecot with TLS: STLS is listed in CAPA once the configuration
# has a certificate (ours, signed by the test CA).
cat "$px/certs/server.key" >"$dv/ssl.key"
cat "$px/certs/server.pem" >"$dv/ssl.pem"
sed -i "s|^ssl = no\$|ssl = yes\nssl_cert = <$dv/ssl.pem\nssl_key = <$dv/ssl.key|" "$dv/dovecot.conf"
timeout 30 doveadm -c "$dv/dovecot.conf" reload
for _ in $(seq 100); do
    if timeout 5 python3 -c "import poplib, sys; p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=3); sys.exit('STLS' not in p.capa())" "$dv_pop3" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
timeout 120 "$pop3_fetch" --server "127.0.0.1:$dv_pop3" --user test --pass secret --out "$px/fetch-dovecot-tls" \
    --starttls --ca "$px/certs/ca.pem" | tee "$px/fetch-dovecot-tls.txt"
python3 .ci/peers/pop3_ex_maildir.py same "$px/fetch-dovecot-tls" "$px/dovecot-held"
# Resumed with --insecure and --delete: nothing fetched again, all deleted.
timeout 120 "$pop3_fetch" --server "127.0.0.1:$dv_pop3" --user test --pass secret --out "$px/fetch-dovecot-tls" \
    --starttls --insecure --delete | tee "$px/fetch-dovecot-del.txt"
grep -q "0 fetched (0 octets), $dv_count already on disk, $dv_count marked for deletion, deleted at QUIT" \
    "$px/fetch-dovecot-del.txt"
python3 .ci/peers/pop3_ex_maildir.py empty "$dv_maildir"
echo "  Dovecot's Maildir is empty after --delete"

echo "--- smtp-server delivers, pop3-server serves the same Maildir, pop3-fetch fetches it"
cargo build --quiet --example smtp-server
e2e="$px/e2e-Maildir"
smtp_port=$(free_port)
"${CARGO_TARGET_DIR:-target}/debug/examples/smtp-server" --listen "127.0.0.1:$smtp_port" --maildir "$e2e" \
    >"$px/e2e-smtp.log" 2>&1 &
pids+=($!)
wait_port "$smtp_port"
timeout 60 python3 - "$smtp_port" <<'PY'
import smtplib, sys
body = (b"From: a@example.org\r\nTo: alice@example.com\r\nSubject: through SMTP\r\n\r\n"
        b".a line starting with a dot\r\ncaf\xc3\xa9 8-bit\r\n.\r\nend\r\n")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    for i in range(3):
        s.sendmail("a@example.org", ["alice@example.com"], body.replace(b"SMTP", b"SMTP %d" % i))
PY
e2e_port=$(free_port)
"$pop3_server" --listen "127.0.0.1:$e2e_port" --maildir "$e2e" --user alice:secret >"$px/e2e-pop3.log" 2>&1 &
pids+=($!)
wait_port "$e2e_port"
timeout 120 "$pop3_fetch" --server "127.0.0.1:$e2e_port" --user alice --pass secret --out "$px/e2e-fetched" --delete |
    tee "$px/e2e-fetch.txt"
grep -q "3 messages on the server, 3 fetched" "$px/e2e-fetch.txt"
python3 .ci/peers/pop3_ex_maildir.py empty "$e2e"
python3 - "$px/e2e-fetched" <<'PY'
import os, sys
files = sorted(os.listdir(sys.argv[1]))
assert len(files) == 3, files
for name in files:
    data = open(os.path.join(sys.argv[1], name), "rb").read()
    assert data.startswith(b"Return-Path: <a@example.org>\r\n"), data[:80]
    assert data.endswith(b"\r\n\r\n.a line starting with a dot\r\ncaf\xc3\xa9 8-bit\r\n.\r\nend\r\n"), data[-80:]
print("  3 messages delivered by smtp-server came back through pop3-server intact, then were deleted")
PY
