# The smtp-server and smtp-send examples against real peers on loopback.
# smtp-server receives from Python's smtplib, curl and swaks; smtp-send
# delivers to aiosmtpd and to a private Postfix. Every stored message must
# equal what was sent, after the trace headers the receiver prepends.

cargo build --quiet --example smtp-server --example smtp-send
ex_bin="${CARGO_TARGET_DIR:-target}/debug/examples"
ex=$work/smtp-ex
mkdir -p "$ex/sent" "$ex/sent-auth"

# A test CA and a certificate for 127.0.0.1 and localhost signed by it.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mailwire-test-ca \
    -keyout "$ex/ca.key" -out "$ex/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
    -keyout "$ex/leaf.key" -out "$ex/leaf.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$ex/leaf.ext"
openssl x509 -req -in "$ex/leaf.csr" -CA "$ex/ca.pem" -CAkey "$ex/ca.key" -CAcreateserial \
    -days 2 -extfile "$ex/leaf.ext" -out "$ex/leaf.pem" 2>/dev/null

start_smtp_server() { # NAME ARGS...: starts smtp-server, sets $smtp_port
    local name=$1
    shift
    smtp_port=$(free_port)
    "$ex_bin/smtp-server" --listen "127.0.0.1:$smtp_port" "$@" \
        >"$ex/$name.out" 2>"$ex/$name.log" &
    pids+=($!)
    wait_port "$smtp_port"
    grep -q "^listening on 127.0.0.1:$smtp_port\$" "$ex/$name.out" ||
        { echo "smtp-server did not print its address" >&2; return 1; }
}

# An open instance (self-signed certificate made at start) and a
# submission instance (AUTH required, the test CA's certificate).
start_smtp_server open --maildir "$ex/md-open" --max-recipients 3
open_port=$smtp_port
start_smtp_server auth --maildir "$ex/md-auth" --user alice:secret \
    --tls-cert "$ex/leaf.pem" --tls-key "$ex/leaf.key"
auth_port=$smtp_port

echo "--- smtplib -> smtp-server: pipelining, SIZE, 8BITMIME, parameters not announced"
timeout 60 python3 .ci/peers/smtp_ex_smtplib.py pipelined "$open_port" "$ex/sent"
echo "--- smtplib -> smtp-server: SMTPUTF8 with UTF-8 addresses"
timeout 60 python3 .ci/peers/smtp_ex_smtplib.py smtputf8 "$open_port" "$ex/sent"
echo "--- raw client -> smtp-server: bytes pipelined after STARTTLS are discarded"
timeout 60 python3 .ci/peers/smtp_ex_smtplib.py injection "$open_port" "$ex/sent"
grep -q "octets pipelined after STARTTLS discarded" "$ex/open.log" ||
    { echo "smtp-server did not log the discarded bytes" >&2; exit 1; }
echo "--- smtplib -> smtp-server: STARTTLS (unverified context) + AUTH PLAIN"
timeout 60 python3 .ci/peers/smtp_ex_smtplib.py auth "$auth_port" "$ex/sent-auth"

echo "--- curl smtp:// --ssl-reqd -k with AUTH -> smtp-server"
printf 'From: curl@example.org\r\nTo: bob@example.com\r\nSubject: curl\r\n\r\n.a dot line\r\nbody\r\n' \
    >"$ex/sent-auth/curl.eml"
timeout 60 curl --silent --show-error --max-time 30 --ssl-reqd -k \
    "smtp://127.0.0.1:$auth_port/client.example" --user alice:secret \
    --mail-from curl@example.org --mail-rcpt bob@example.com --upload-file "$ex/sent-auth/curl.eml"
echo "--- curl smtp:// without credentials -> smtp-server with AUTH: refused"
if timeout 60 curl --silent --max-time 30 --ssl-reqd -k "smtp://127.0.0.1:$auth_port/client.example" \
    --mail-from curl@example.org --mail-rcpt bob@example.com --upload-file "$ex/sent-auth/curl.eml" \
    2>/dev/null; then
    echo "a message was accepted without AUTH" >&2
    exit 1
fi

# swaks ends the data it is given with CRLF: the input has no final line
# end, the message sent (and expected) has one.
swaks_msg() { # NAME SUBJECT
    printf 'From: swaks@example.org\r\nTo: bob@example.com\r\nSubject: %s\r\n\r\n.dot\r\n..two dots\r\nbody' "$2" >"$ex/$1.in"
    printf 'From: swaks@example.org\r\nTo: bob@example.com\r\nSubject: %s\r\n\r\n.dot\r\n..two dots\r\nbody\r\n' "$2" >"$3/$1.eml"
}
echo "--- swaks --pipeline -> smtp-server"
swaks_msg swaks-pipeline pipelined "$ex/sent"
timeout 60 swaks --server "127.0.0.1:$open_port" --helo client.example --from swaks@example.org \
    --to bob@example.com,carol@example.com --pipeline --data "@$ex/swaks-pipeline.in" --timeout 20 \
    >"$ex/swaks-pipeline.log" 2>&1 || { cat "$ex/swaks-pipeline.log"; exit 1; }
python3 - "$ex/swaks-pipeline.log" <<'PY'
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1])]
start = next(i for i, l in enumerate(lines) if l.startswith(" -> MAIL FROM"))
group = lines[start:start + 4]
if not all(l.startswith(" -> ") for l in group) or not group[3].startswith(" -> DATA"):
    sys.exit("swaks did not pipeline: %r" % group)
print("  swaks sent MAIL, RCPT, RCPT, DATA in one group")
PY
echo "--- swaks -tls -> smtp-server"
swaks_msg swaks-tls tls "$ex/sent"
timeout 60 swaks --server "127.0.0.1:$open_port" --helo client.example --from swaks@example.org \
    --to bob@example.com -tls --data "@$ex/swaks-tls.in" --timeout 20 \
    >"$ex/swaks-tls.log" 2>&1 || { cat "$ex/swaks-tls.log"; exit 1; }
echo "--- swaks -tls --auth PLAIN -> smtp-server with AUTH"
swaks_msg swaks-auth auth "$ex/sent-auth"
timeout 60 swaks --server "127.0.0.1:$auth_port" --helo client.example --from swaks@example.org \
    --to bob@example.com -tls --auth PLAIN --auth-user alice --auth-password secret \
    --data "@$ex/swaks-auth.in" --timeout 20 \
    >"$ex/swaks-auth.log" 2>&1 || { cat "$ex/swaks-auth.log"; exit 1; }

echo "--- smtp-send -> smtp-server: BDAT, and 4 recipients over a limit of 3"
printf 'From: send@example.org\r\nSubject: bdat\r\n\r\n.dot\r\nbinary-ish \xc3\xa9\r\n' >"$ex/sent/send-bdat.eml"
timeout 60 "$ex_bin/smtp-send" --server "127.0.0.1:$open_port" --from send@example.org \
    --to a@example.com --to b@example.com --bdat <"$ex/sent/send-bdat.eml" >"$ex/send-bdat.out"
printf 'From: send@example.org\r\nSubject: partial\r\n\r\nfour recipients\r\n' >"$ex/sent/send-partial.eml"
rc=0
timeout 60 "$ex_bin/smtp-send" --server "127.0.0.1:$open_port" --from send@example.org \
    --to a@example.com --to b@example.com --to c@example.com --to d@example.com \
    <"$ex/sent/send-partial.eml" >"$ex/send-partial.out" || rc=$?
[ "$rc" = 1 ] && grep -q '^<d@example.com>: rejected 452 4.5.3' "$ex/send-partial.out" &&
    grep -q '^message: accepted 250' "$ex/send-partial.out" ||
    { echo "partial delivery: rc=$rc" >&2; cat "$ex/send-partial.out"; exit 1; }
echo "  smtp-send: BDAT delivered; a refused recipient gives exit code 1 and the others get the message"
echo "--- smtp-send --starttls --ca -> smtp-server (the test CA) with AUTH"
printf 'From: alice@example.org\r\nSubject: verified\r\n\r\nverified TLS\r\n' >"$ex/sent-auth/send-tls.eml"
timeout 60 "$ex_bin/smtp-send" --server "127.0.0.1:$auth_port" --from alice@example.org \
    --to bob@example.com --starttls --ca "$ex/ca.pem" --auth alice:secret \
    <"$ex/sent-auth/send-tls.eml" >"$ex/send-tls.out"
if timeout 60 "$ex_bin/smtp-send" --server "127.0.0.1:$open_port" --from a@example.org \
    --to bob@example.com --starttls --ca "$ex/ca.pem" <"$ex/sent-auth/send-tls.eml" >/dev/null 2>&1; then
    echo "smtp-send accepted a certificate the CA did not sign" >&2
    exit 1
fi
echo "  smtp-send: verified STARTTLS + AUTH; an unknown certificate refused"

echo "--- the Maildirs hold exactly the messages sent"
python3 .ci/peers/smtp_ex_check.py mailwire "$ex/md-open" "$ex"/sent/*.eml
python3 .ci/peers/smtp_ex_check.py mailwire "$ex/md-auth" "$ex"/sent-auth/*.eml
grep -q "with ESMTPSA" "$ex"/md-auth/new/* || { echo "no ESMTPSA Received header" >&2; exit 1; }
grep -q "with UTF8SMTP" "$ex"/md-open/new/* || { echo "no UTF8SMTP Received header" >&2; exit 1; }

echo "--- smtp-send -> aiosmtpd (STARTTLS verified with --ca, SMTPUTF8, 8BITMIME, dot-stuffing)"
aio_port=$(free_port)
PYTHONPATH=.ci/peers timeout 300 python3 -m aiosmtpd -n -u -l "127.0.0.1:$aio_port" \
    --tlscert "$ex/leaf.pem" --tlskey "$ex/leaf.key" \
    -c smtp_ex_aiosmtpd.SaveExact "$ex/aiosmtpd" >"$ex/aiosmtpd.log" 2>&1 &
pids+=($!)
wait_port "$aio_port"
mkdir -p "$ex/sent-aio"
printf 'From: J\xc3\xb6s\xc3\xa9 <j\xc3\xb6s\xc3\xa9@example.org>\r\nTo: bob@example.com\r\nSubject: to aiosmtpd\r\n\r\n.starts with a dot\r\n.\r\n..\r\n8-bit: \xc3\xbc\r\nlast line\r\n' \
    >"$ex/sent-aio/1.eml"
timeout 60 "$ex_bin/smtp-send" --server "127.0.0.1:$aio_port" --from 'jösé@example.org' \
    --to bob@example.com --to 'müller@example.com' --starttls --ca "$ex/ca.pem" \
    <"$ex/sent-aio/1.eml" >"$ex/send-aio.out"
python3 .ci/peers/smtp_ex_check.py none "$ex/aiosmtpd" "$ex/sent-aio/1.eml"
python3 - "$ex/aiosmtpd/1.json" <<'PY'
import json, sys
env = json.load(open(sys.argv[1]))
assert env["tls"], env
assert env["mail_from"] == "jösé@example.org", env
assert env["rcpt_tos"] == ["bob@example.com", "müller@example.com"], env
assert "SMTPUTF8" in env["mail_options"] and "BODY=8BITMIME" in env["mail_options"], env
print("  aiosmtpd saw TLS, SMTPUTF8, BODY=8BITMIME and both recipients")
PY

echo "--- smtp-send -> Postfix (private instance, virtual Maildir)"
pf=$ex/postfix
pf_port=$(free_port)
printf 'bob@example.com example.com/bob/\nm\xc3\xbcller@example.com example.com/mueller/\n' >"$ex/vmailbox"
on_exit "timeout 30 postfix -c '$pf/conf' stop >/dev/null 2>&1"
.ci/peers/postfix.sh "$pf" "$pf_port" "$ex/vmail" "$ex/vmailbox"
mkdir -p "$ex/sent-pf"
printf 'From: sender@example.org\r\nTo: bob@example.com\r\nSubject: to postfix\r\nMessage-ID: <1@example.org>\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n\r\n.starts with a dot\r\n..two\r\n8-bit: \xc3\xbc\r\nlast line\r\n' \
    >"$ex/sent-pf/1.eml"
rc=0
timeout 60 "$ex_bin/smtp-send" --server "127.0.0.1:$pf_port" --from sender@example.org \
    --to bob@example.com --to nobody@example.com --to someone@example.net \
    <"$ex/sent-pf/1.eml" >"$ex/send-pf.out" || rc=$?
cat "$ex/send-pf.out"
[ "$rc" = 1 ] && grep -q '^<bob@example.com>: accepted' "$ex/send-pf.out" &&
    grep -q '^<nobody@example.com>: rejected 550' "$ex/send-pf.out" &&
    grep -q '^<someone@example.net>: rejected 554' "$ex/send-pf.out" ||
    { echo "Postfix: unexpected result, rc=$rc" >&2; exit 1; }
printf 'From: J\xc3\xb6s\xc3\xa9 <j\xc3\xb6s\xc3\xa9@example.org>\r\nTo: m\xc3\xbcller@example.com\r\nSubject: SMTPUTF8 to postfix\r\nMessage-ID: <2@example.org>\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n\r\nUTF-8 envelope\r\n' \
    >"$ex/sent-pf/2.eml"
timeout 60 "$ex_bin/smtp-send" --server "127.0.0.1:$pf_port" --from 'jösé@example.org' \
    --to 'müller@example.com' <"$ex/sent-pf/2.eml" >"$ex/send-pf2.out"
# Postfix stores lines with LF ends: the expected messages converted so.
for n in 1 2; do sed 's/\r$//' "$ex/sent-pf/$n.eml" >"$ex/sent-pf/$n.lf"; done
for _ in $(seq 100); do
    [ -n "$(ls -A "$ex/vmail/example.com/bob/new" 2>/dev/null)" ] &&
        [ -n "$(ls -A "$ex/vmail/example.com/mueller/new" 2>/dev/null)" ] && break
    sleep 0.2
done
python3 .ci/peers/smtp_ex_check.py trace "$ex/vmail/example.com/bob" "$ex/sent-pf/1.lf" ||
    { tail -20 "$pf/maillog"; exit 1; }
python3 .ci/peers/smtp_ex_check.py trace "$ex/vmail/example.com/mueller" "$ex/sent-pf/2.lf" ||
    { tail -20 "$pf/maillog"; exit 1; }

echo "--- smtp-server: connection limit (421 4.7.0) and idle timeout (421 4.4.2)"
start_smtp_server limits --maildir "$ex/md-limits" --max-connections 1 --idle-timeout 1
timeout 30 python3 - "$smtp_port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
first = socket.create_connection(("127.0.0.1", port), timeout=10)
ff = first.makefile("rb")
assert ff.readline().startswith(b"220"), "no greeting"
second = socket.create_connection(("127.0.0.1", port), timeout=10)
line = second.makefile("rb").readline()
assert line.startswith(b"421 4.7.0"), "over the limit: %r" % line
start = time.monotonic()
line = ff.readline()
waited = time.monotonic() - start
assert line.startswith(b"421 4.4.2"), "idle: %r" % line
assert 0.5 < waited < 5, waited
assert ff.readline() == b"", "not closed after 421"
print("  second connection refused with 421 4.7.0; idle one closed with 421 4.4.2 after %.1f s" % waited)
PY
