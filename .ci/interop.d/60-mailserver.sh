# The mailserver example end to end: smtplib, curl and mutt send through
# it (STARTTLS, implicit TLS, AUTH), poplib, imaplib and curl (pop3://,
# imap://) read the same bytes back; an imaplib IDLE session is told of a
# delivery at once; malformed input, limits, a client vanishing in DATA,
# slow clients, the SMTP smuggling vectors, graceful shutdown; a load test
# (50 SMTP clients, 5 000 pipelined messages, POP3 and IMAP readers at the
# same time, then POP3 and IMAP compared) with aiosmtpd under the same load
# as a reference; and a SIGKILL during a load run, after which every
# acknowledged message is there and none is partial.

cargo build --quiet --example mailserver
ms_bin="${CARGO_TARGET_DIR:-target}/debug/examples/mailserver"
ms=$work/mailserver
mkdir -p "$ms/sent" "$ms/curl"
load_users=u0,u1,u2,u3,u4

# A certificate for 127.0.0.1 made here, so mutt can be told to trust it.
timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
    -keyout "$ms/key.pem" -out "$ms/cert.pem" 2>/dev/null

ms_pid=
start_mailserver() { # NAME DATA ARGS...: sets ms_smtp, ms_pop3, ms_imap, ms_pid
    local name=$1 data=$2
    shift 2
    ms_smtp=$(free_port)
    ms_pop3=$(free_port)
    ms_imap=$(free_port)
    "$ms_bin" --smtp "127.0.0.1:$ms_smtp" --pop3 "127.0.0.1:$ms_pop3" --imap "127.0.0.1:$ms_imap" \
        --data "$data" "$@" >"$ms/$name.out" 2>>"$ms/$name.log" &
    ms_pid=$!
    pids+=($ms_pid)
    wait_port "$ms_smtp"
    wait_port "$ms_pop3"
    wait_port "$ms_imap"
}
ms_fail() { echo "mailserver's log ($1):"; tail -40 "$ms/$1.log"; return 1; }

echo "--- mailserver without --user: a demo user, printed with the addresses and the data directory"
start_mailserver demo "$ms/demo-data"
grep -q '^  user   demo  password demo$' "$ms/demo.out" &&
    grep -q "^  smtp   127.0.0.1:$ms_smtp (STARTTLS)\$" "$ms/demo.out" &&
    grep -q "^  pop3   127.0.0.1:$ms_pop3 (STLS)\$" "$ms/demo.out" &&
    grep -q "^  imap   127.0.0.1:$ms_imap (STARTTLS)\$" "$ms/demo.out" &&
    grep -q "^  data   $ms/demo-data (one Maildir per user)\$" "$ms/demo.out" ||
    { cat "$ms/demo.out"; exit 1; }
[ -d "$ms/demo-data/demo/new" ]
kill "$ms_pid"
timeout 30 tail --pid="$ms_pid" -f /dev/null

smtps=$(free_port)
pop3s=$(free_port)
imaps=$(free_port)
start_mailserver main "$ms/data" --smtps "127.0.0.1:$smtps" --pop3s "127.0.0.1:$pop3s" \
    --imaps "127.0.0.1:$imaps" --tls-cert "$ms/cert.pem" --tls-key "$ms/key.pem" --max-size 200000 \
    --user alice:secret --user muttuser:secret --user faults:secret --user victim:secret \
    --user idler:secret --user appender:secret \
    --user u0:secret --user u1:secret --user u2:secret --user u3:secret --user u4:secret
wait_port "$smtps"
wait_port "$pop3s"
wait_port "$imaps"

echo "--- smtplib -> mailserver (STARTTLS + AUTH, SMTPUTF8, implicit TLS; refusals)"
timeout 60 python3 .ci/peers/mailserver_e2e.py send "$ms_smtp" alice secret "$ms/sent" || ms_fail main
timeout 60 python3 .ci/peers/mailserver_e2e.py implicit "$smtps" alice secret "$ms/sent" || ms_fail main

echo "--- curl smtp:// --ssl-reqd with AUTH -> mailserver"
printf 'From: curl@example.org\r\nTo: alice@localhost\r\nSubject: curl\r\n\r\n.a dot line\r\nbody\r\n' \
    >"$ms/sent/curl.eml"
timeout 30 curl --silent --show-error --max-time 20 --ssl-reqd --cacert "$ms/cert.pem" \
    "smtp://127.0.0.1:$ms_smtp/client.example" --user alice:secret \
    --mail-from curl@example.org --mail-rcpt alice@localhost --upload-file "$ms/sent/curl.eml"

echo "--- mutt (batch mode, STARTTLS, AUTH) -> mailserver"
cat >"$ms/muttrc" <<EOF
set smtp_url="smtp://alice@127.0.0.1:$ms_smtp/"
set smtp_pass="secret"
set ssl_starttls=yes
set ssl_force_tls=yes
set certificate_file="$ms/cert.pem"
set from="alice@example.org"
set realname="Mutt Sender"
set hostname="mutt.example"
set record=""
set copy=no
set use_from=yes
EOF
printf 'sent by mutt in batch mode\n.a line with a dot\n' |
    HOME="$ms" timeout 60 mutt -n -F "$ms/muttrc" -s "from mutt" muttuser@localhost ||
    ms_fail main

echo "--- poplib, imaplib and curl pop3:// imap:// read back what was sent"
timeout 60 python3 .ci/peers/mailserver_e2e.py read "$ms_pop3" alice secret "$ms/sent" || ms_fail main
timeout 60 python3 .ci/peers/mailserver_e2e.py read "$pop3s" alice secret "$ms/sent" --implicit || ms_fail main
count=$(find "$ms/data/alice/new" "$ms/data/alice/cur" -type f | wc -l)
for n in $(seq "$count"); do
    timeout 30 curl -sS --max-time 20 --ssl-reqd --cacert "$ms/cert.pem" --login-options AUTH=PLAIN \
        -u alice:secret "pop3://127.0.0.1:$ms_pop3/$n" -o "$ms/curl/$n.eml"
done
timeout 60 python3 .ci/peers/mailserver_e2e.py same "$ms/curl" "$ms/sent"
timeout 60 python3 .ci/peers/mailserver_e2e.py imap "$ms_imap" alice secret "$ms/sent" || ms_fail main
timeout 60 python3 .ci/peers/mailserver_e2e.py imap "$imaps" alice secret "$ms/sent" --implicit || ms_fail main
mkdir -p "$ms/curl-imap"
for n in $(seq "$count"); do
    timeout 30 curl -sS --max-time 20 --ssl-reqd --cacert "$ms/cert.pem" -u alice:secret \
        "imap://127.0.0.1:$ms_imap/INBOX;UID=$n" -o "$ms/curl-imap/$n.eml"
done
timeout 60 python3 .ci/peers/mailserver_e2e.py same "$ms/curl-imap" "$ms/sent"
echo "  (curl imap:// over STARTTLS with LOGIN, by UID)"
timeout 60 python3 .ci/peers/mailserver_e2e.py both "$ms_pop3" "$ms_imap" alice,muttuser secret
timeout 30 curl -sS --max-time 20 -u muttuser:secret "pop3://127.0.0.1:$ms_pop3/1" -o "$ms/mutt.eml"
grep -q '^Subject: from mutt' "$ms/mutt.eml" && grep -q '^sent by mutt in batch mode' "$ms/mutt.eml" &&
    grep -q '^\.a line with a dot' "$ms/mutt.eml" && grep -q 'with ESMTPSA' "$ms/mutt.eml" ||
    { cat "$ms/mutt.eml"; exit 1; }
echo "  mutt's message arrived over STARTTLS + AUTH, read back with curl"

echo "--- an imaplib IDLE session is told of each SMTP delivery at once"
timeout 60 python3 .ci/peers/mailserver_e2e.py idle "$ms_smtp" "$ms_imap" idler secret || ms_fail main

echo "--- --max-size applies to IMAP APPEND: APPENDLIMIT announced, a larger literal refused with [TOOBIG]"
timeout 60 python3 - "$ms_imap" <<'PY' || ms_fail main
import imaplib, sys
imap = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=30)
imap.login("appender", "secret")
caps = imap.capabilities
assert "APPENDLIMIT=200000" in caps, caps
small = b"Subject: fits\r\n\r\n" + b"x" * 1000 + b"\r\n"
typ, data = imap.append("INBOX", None, None, small)
assert typ == "OK", (typ, data)
big = b"Subject: too big\r\n\r\n" + (b"y" * 998 + b"\r\n") * 250
try:
    typ, data = imap.append("INBOX", None, None, big)
except imaplib.IMAP4.error as e:
    typ, data = "NO", [str(e).encode()]
assert typ == "NO" and b"TOOBIG" in data[0], (typ, data)
typ, data = imap.noop()
assert typ == "OK", "the connection stays"
imap.logout()
print("APPEND: APPENDLIMIT=200000, 1 KB accepted, 250 KB refused [TOOBIG]")
PY

echo "--- malformed input, a client vanishing in DATA, slow clients, smuggling vectors"
timeout 60 python3 .ci/peers/mailserver_faults.py malformed "$ms_smtp" "$ms_pop3" alice secret || ms_fail main
timeout 60 python3 .ci/peers/mailserver_faults.py middata "$ms_smtp" "$ms/data/faults" || ms_fail main
timeout 60 python3 .ci/peers/mailserver_faults.py slow "$ms_smtp" "$ms/data/faults" || ms_fail main
timeout 120 python3 .ci/peers/mailserver_faults.py smuggle "$ms_smtp" "$ms/data/faults" "$ms/data/victim" \
    ../shared/vectors/smtp-smuggling.txt || ms_fail main

echo "--- plaintext passwords refused on a non-loopback listener until TLS"
host_ip=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.' | grep -v '^127\.' | head -1 || true)
if [ -n "$host_ip" ]; then
    ext_smtp=$(free_port)
    ext_pop3=$(free_port)
    ext_imap=$(free_port)
    "$ms_bin" --smtp "$host_ip:$ext_smtp" --pop3 "$host_ip:$ext_pop3" --imap "$host_ip:$ext_imap" \
        --data "$ms/ext-data" --user alice:secret >"$ms/ext.out" 2>"$ms/ext.log" &
    pids+=($!)
    for _ in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('$host_ip', $ext_imap), 0.2)" 2>/dev/null && break
        sleep 0.1
    done
    timeout 60 python3 .ci/peers/mailserver_e2e.py plaintext "$ext_smtp" "$ext_pop3" "$host_ip" alice secret \
        "$ext_imap" || ms_fail ext
    if "$ms_bin" --smtp "$host_ip:0" --pop3 127.0.0.1:0 --imap 127.0.0.1:0 --data "$ms/ext-data" \
        >/dev/null 2>&1; then
        echo "the demo user was allowed on a non-loopback listener" >&2
        exit 1
    fi
else
    echo "  (no non-loopback IPv4 address here: skipped)"
fi

echo "--- load: 50 SMTP clients, 5000 pipelined messages, POP3 and IMAP readers meanwhile; aiosmtpd the same"
timeout 150 python3 .ci/peers/mailserver_load.py send "$ms_smtp" --run load --clients 50 --messages 5000 \
    --users "$load_users" --pop3 "$ms_pop3" --imap "$ms_imap" --acked "$ms/load.acked" \
    --label mailserver || ms_fail main
timeout 60 python3 .ci/peers/mailserver_load.py check "$ms/data" --run load --messages 5000 \
    --users "$load_users" --acked "$ms/load.acked"
timeout 60 python3 .ci/peers/mailserver_e2e.py both "$ms_pop3" "$ms_imap" "$load_users" secret || ms_fail main
aio_port=$(free_port)
PYTHONPATH=.ci/peers timeout 300 python3 -m aiosmtpd -n -l "127.0.0.1:$aio_port" \
    -c mailserver_aiosmtpd.MaildirSync "$ms/aio-data" >"$ms/aiosmtpd.log" 2>&1 &
pids+=($!)
wait_port "$aio_port"
timeout 150 python3 .ci/peers/mailserver_load.py send "$aio_port" --run load --clients 50 --messages 5000 \
    --users "$load_users" --label aiosmtpd
timeout 60 python3 .ci/peers/mailserver_load.py check "$ms/aio-data" --run load --messages 5000 \
    --users "$load_users"

echo "--- graceful shutdown (SIGTERM with a message in flight, an IMAP session idling, an APPEND in flight)"
timeout 60 python3 .ci/peers/mailserver_faults.py graceful "$ms_smtp" "$ms_pid" "$ms/data/faults" \
    "$ms_imap" || ms_fail main
timeout 40 tail --pid="$ms_pid" -f /dev/null
grep -q 'mailserver stopped$' "$ms/main.log" || ms_fail main

echo "--- SIGKILL during a load run, then a restart: every acknowledged message is there, none partial"
start_mailserver crash "$ms/crash-data" --user u0:secret --user u1:secret --user u2:secret \
    --user u3:secret --user u4:secret
timeout 120 python3 .ci/peers/mailserver_load.py send "$ms_smtp" --run crash --clients 20 --messages 3000 \
    --users "$load_users" --acked "$ms/crash.acked" --ignore-errors --label "until killed" &
load=$!
# Kill once a few hundred messages are acknowledged: a fixed delay can come
# after the whole run on a fast machine, or before any 250 on a slow one.
for _ in $(seq 300); do
    [ "$(wc -l 2>/dev/null <"$ms/crash.acked" || echo 0)" -ge 300 ] && break
    sleep 0.1
done
kill -KILL "$ms_pid"
timeout 60 tail --pid="$load" -f /dev/null
wait "$load" || true
acked=$(wc -l <"$ms/crash.acked")
[ "$acked" -gt 0 ] && [ "$acked" -lt 3000 ] || { echo "killed too late or too early: $acked acked" >&2; exit 1; }
start_mailserver crash "$ms/crash-data" --user u0:secret --user u1:secret --user u2:secret \
    --user u3:secret --user u4:secret
timeout 60 python3 .ci/peers/mailserver_load.py check "$ms/crash-data" --run crash --messages 3000 \
    --users "$load_users" --acked "$ms/crash.acked" --subset
echo "  (files left in tmp/ by the kill: $(find "$ms/crash-data"/*/tmp -type f | wc -l), never listed)"
stored=$(find "$ms/crash-data/u0/new" -type f | wc -l)
timeout 30 python3 - "$ms_pop3" "$stored" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("u0"); p.pass_("secret")
count = p.stat()[0]
assert count == int(sys.argv[2]), (count, sys.argv[2])
p.quit()
print("  after the restart POP3 lists the %d messages of u0" % count)
PY

echo "--- connection limit (421 4.7.0 / -ERR [SYS/TEMP] / * BYE) and idle timeout (421 4.4.2, * BYE)"
kill "$ms_pid"
start_mailserver limits "$ms/limits-data" --max-connections 2 --idle-timeout 1
timeout 30 python3 - "$ms_smtp" "$ms_pop3" "$ms_imap" <<'PY'
import socket, sys, time
smtp, pop3, imap = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def conn(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s, s.makefile("rb")
a, af = conn(smtp)
assert af.readline().startswith(b"220")
b, bf = conn(pop3)
assert bf.readline().startswith(b"+OK")
c, cf = conn(smtp)
line = cf.readline()
assert line.startswith(b"421 4.7.0"), line
d, df = conn(pop3)
line = df.readline()
assert line.startswith(b"-ERR [SYS/TEMP]"), line
e, ef = conn(imap)
line = ef.readline()
assert line.startswith(b"* BYE [UNAVAILABLE]"), line
start = time.monotonic()
line = af.readline()
assert line.startswith(b"421 4.4.2"), line
waited = time.monotonic() - start
assert 0.5 < waited < 5, waited
assert bf.readline() == b""  # POP3 closes without a word (RFC 1939 §3)
for _ in range(50):  # the permits come back as the sessions end
    f, ff = conn(imap)
    line = ff.readline()
    if line.startswith(b"* OK"):
        break
    time.sleep(0.1)
assert line.startswith(b"* OK"), line
start = time.monotonic()
line = ff.readline()
assert line.startswith(b"* BYE"), line
imap_waited = time.monotonic() - start
assert 0.5 < imap_waited < 5, imap_waited
print("  third, fourth and fifth connections refused (SMTP 421 4.7.0, POP3 -ERR [SYS/TEMP], "
      "IMAP * BYE [UNAVAILABLE]); idle sessions closed after %.1f s (SMTP 421 4.4.2) "
      "and %.1f s (IMAP * BYE)" % (waited, imap_waited))
PY
