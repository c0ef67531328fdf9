# The mailserver as a relay (store and forward to a smarthost): mail for
# remote addresses, submitted with smtplib, arrives byte-identical after
# the relay's Received field at aiosmtpd and at Postfix as next hops
# (with the DSN parameters passed to Postfix, which offers DSN); a next
# hop that answers 4xx twice gets the message once; a 5xx for one of two
# recipients gives one notice that Python's email reads as a
# multipart/report naming that recipient; killing the relay with queued
# mail (a deferred recipient, a next hop that is down) and starting it
# again delivers each recipient exactly once; a next hop reached with
# STARTTLS and AUTH (another mailserver); relaying refused without
# AUTH; a message with too many Received fields refused.

cargo build --quiet --example mailserver
rl_bin="${CARGO_TARGET_DIR:-target}/debug/examples/mailserver"
rl=$work/relay
mkdir -p "$rl/sent"

rl_pid=
start_relay() { # NAME DATA ARGS...: sets rl_smtp, rl_pid
    local name=$1 data=$2
    shift 2
    rl_smtp=$(free_port)
    local retry=()
    case " $* " in *" --relay "*) retry=(--queue-retry 1) ;; esac
    "$rl_bin" --smtp "127.0.0.1:$rl_smtp" --pop3 "127.0.0.1:$(free_port)" \
        --imap "127.0.0.1:$(free_port)" --data "$data" --hostname "${rl_host:-relay.test}" \
        "${retry[@]}" "$@" >"$rl/$name.out" 2>>"$rl/$name.log" &
    rl_pid=$!
    pids+=($rl_pid)
    wait_port "$rl_smtp"
}
hop_pid=
start_hop() { # DIR ARGS...: an aiosmtpd next hop (relay_nexthop.py); sets hop_port, hop_pid
    local dir=$1
    shift
    [ -n "${hop_port_next:-}" ] && hop_port=$hop_port_next || hop_port=$(free_port)
    hop_port_next=
    PYTHONPATH=.ci/peers timeout 300 python3 -m aiosmtpd -n --smtputf8 -l "127.0.0.1:$hop_port" \
        -c relay_nexthop.NextHop "$dir" "$@" >"$dir.log" 2>&1 &
    hop_pid=$!
    pids+=($hop_pid)
    wait_port "$hop_port"
}
wait_file() { # PATH: waits up to 30 s for it
    for _ in $(seq 150); do
        [ -e "$1" ] && return 0
        sleep 0.2
    done
    echo "$1 did not appear" >&2
    return 1
}
wait_queue_empty() { # DATA NAME: waits up to 30 s for an empty queue
    for _ in $(seq 150); do
        [ -z "$(ls -A "$1/.queue" 2>/dev/null)" ] && return 0
        sleep 0.2
    done
    echo "the queue in $1 is not empty:" >&2
    ls -l "$1/.queue" >&2
    tail -30 "$rl/$2.log"
    return 1
}
stop() { # PID: SIGTERM and wait
    kill "$1" 2>/dev/null || true
    timeout 30 tail --pid="$1" -f /dev/null
}

# The messages: dot lines, 8-bit text, a UTF-8 header and addresses.
printf 'From: alice@relay.test\r\nTo: bob@remote.example\r\nSubject: relayed\r\nMessage-ID: <r1@relay.test>\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n\r\n.a dot line\r\n..two\r\n8-bit: \xc3\xbc\r\nlast\r\n' \
    >"$rl/sent/1.eml"
printf 'From: alice@relay.test\r\nTo: dave@remote.example, carol@remote.example\r\nSubject: two recipients\r\nMessage-ID: <r2@relay.test>\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n\r\nbody\r\n' \
    >"$rl/sent/2.eml"
printf 'From: J\xc3\xb6s\xc3\xa9 <j\xc3\xb6s\xc3\xa9@relay.test>\r\nTo: m\xc3\xbcller@remote.example\r\nSubject: SMTPUTF8 \xe2\x98\x95\r\nMessage-ID: <r3@relay.test>\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n\r\nUTF-8 envelope\r\n' \
    >"$rl/sent/3.eml"
for n in 4 5 6 7; do
    printf 'From: alice@relay.test\r\nSubject: message %s\r\nMessage-ID: <r%s@relay.test>\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\n\r\nmessage %s\r\n' \
        "$n" "$n" "$n" >"$rl/sent/$n.eml"
done

send() { # PORT FROM TO[,TO...] FILE [AUTH] [MAIL_OPTIONS] [RCPT_OPTIONS]: smtplib, prints the refusals
    timeout 60 python3 - "$@" <<'PY'
import smtplib, sys
port, sender, to, path = sys.argv[1:5]
auth = sys.argv[5] if len(sys.argv) > 5 else ""
mail_options = sys.argv[6].split() if len(sys.argv) > 6 else []
rcpt_options = sys.argv[7].split() if len(sys.argv) > 7 else []
s = smtplib.SMTP("127.0.0.1", int(port), timeout=30)
s.ehlo("client.test")
if auth:
    user, password = auth.split(":", 1)
    s.login(user, password)
if any(ord(c) > 127 for c in sender + to):
    mail_options.append("SMTPUTF8")
refused = s.sendmail(sender, to.split(","), open(path, "rb").read(), mail_options, rcpt_options)
s.quit()
for rcpt, (code, text) in refused.items():
    print("refused %s %d %s" % (rcpt, code, text.decode()))
PY
}

echo "--- relay -> aiosmtpd: byte-identical after the Received field; 5xx for one recipient -> one notice"
start_hop "$rl/hopA" 0 carol@remote.example
start_relay a "$rl/data-a" --user alice:secret --relay "127.0.0.1:$hop_port"
grep -q "^  relay  127.0.0.1:$hop_port (queue in " "$rl/a.out" || { cat "$rl/a.out"; exit 1; }
# Without AUTH, and not on --open-relay-loopback: refused.
timeout 30 python3 - "$rl_smtp" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo("client.test")
assert "dsn" in s.esmtp_features, "a relay announces DSN"
s.mail("alice@relay.test")
code, text = s.rcpt("bob@remote.example")
assert (code, text[:5]) == (550, b"5.7.1"), (code, text)
code, text = s.rcpt("alice@relay.test")
assert code == 250, (code, text)
s.quit()
PY
send "$rl_smtp" alice@relay.test bob@remote.example "$rl/sent/1.eml" alice:secret
wait_file "$rl/hopA/1.eml"
python3 .ci/peers/relay_check.py same "$rl/hopA/1.eml" "$rl/sent/1.eml" relay.test
python3 .ci/peers/relay_check.py hop "$rl/hopA" 1 bob@remote.example
grep -q '"BODY=8BITMIME"' "$rl/hopA/1.json" ||
    { cat "$rl/hopA/1.json"; exit 1; }
send "$rl_smtp" alice@relay.test dave@remote.example,carol@remote.example "$rl/sent/2.eml" alice:secret
wait_file "$rl/hopA/2.eml"
python3 .ci/peers/relay_check.py same "$rl/hopA/2.eml" "$rl/sent/2.eml" relay.test
python3 .ci/peers/relay_check.py hop "$rl/hopA" 2 dave@remote.example
wait_queue_empty "$rl/data-a" a
python3 .ci/peers/relay_check.py notice "$rl/data-a/alice" carol@remote.example ||
    { tail -30 "$rl/a.log"; exit 1; }
# A message from <> that fails is dropped, never returned (no loops).
rm -f "$rl/data-a/alice/new/"*
send "$rl_smtp" '' carol@remote.example "$rl/sent/2.eml" alice:secret
wait_queue_empty "$rl/data-a" a
grep -q 'relay: no notice for a message from <>' "$rl/a.log" || { tail -20 "$rl/a.log"; exit 1; }
[ -z "$(ls -A "$rl/data-a/alice/new")" ] || { ls -l "$rl/data-a/alice/new"; exit 1; }
echo "--- relay -> aiosmtpd: SMTPUTF8 passed on; NOTIFY=SUCCESS to a next hop without DSN -> a relayed notice"
rm -f "$rl/data-a/alice/new/"*
send "$rl_smtp" 'jösé@relay.test' 'müller@remote.example' "$rl/sent/3.eml" alice:secret
wait_file "$rl/hopA/3.eml"
python3 .ci/peers/relay_check.py same "$rl/hopA/3.eml" "$rl/sent/3.eml" relay.test
grep -q '"SMTPUTF8"' "$rl/hopA/3.json" || { cat "$rl/hopA/3.json"; exit 1; }
send "$rl_smtp" alice@relay.test bob@remote.example "$rl/sent/4.eml" alice:secret \
    "RET=HDRS ENVID=QQ+2B4" "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@remote.example"
wait_file "$rl/hopA/4.eml"
wait_queue_empty "$rl/data-a" a
python3 - "$rl/data-a/alice" <<'PY'
import email, glob, sys
from email import policy
files = glob.glob(sys.argv[1] + "/new/*")
assert len(files) == 1, files
m = email.message_from_bytes(open(files[0], "rb").read(), policy=policy.default)
assert m.get_content_type() == "multipart/report", m.get_content_type()
status = list(m.iter_parts())[1].get_payload()
assert status[0]["Original-Envelope-Id"] == "QQ+4", status[0]["Original-Envelope-Id"]
blocks = status[1:]
assert len(blocks) == 1 and blocks[0]["Action"] == "relayed", [str(b) for b in blocks]
assert blocks[0]["Original-Recipient"] == "rfc822; bob@remote.example"
print("notice: relayed for bob@remote.example (ENVID QQ+4)")
PY
echo "--- local delivery with NOTIFY=SUCCESS: a delivered notice"
rm -f "$rl/data-a/alice/new/"*
send "$rl_smtp" alice@relay.test alice@relay.test "$rl/sent/4.eml" alice:secret \
    "ENVID=local-1" "NOTIFY=SUCCESS"
timeout 30 python3 - "$rl/data-a/alice" "$rl/sent/4.eml" <<'PY'
import email, glob, sys, time
from email import policy
for _ in range(100):
    files = glob.glob(sys.argv[1] + "/new/*")
    if len(files) == 2:
        break
    time.sleep(0.2)
assert len(files) == 2, files
sent = open(sys.argv[2], "rb").read()
kinds = {}
for f in files:
    raw = open(f, "rb").read()
    m = email.message_from_bytes(raw, policy=policy.default)
    kinds[m.get_content_type()] = (raw, m)
assert kinds["text/plain"][0].endswith(sent), "the message itself"
raw, m = kinds["multipart/report"]
assert raw.startswith(b"Return-Path: <>\r\n")
status = list(m.iter_parts())[1].get_payload()
assert status[0]["Original-Envelope-Id"] == "local-1"
assert [b["Action"] for b in status[1:]] == ["delivered"], [str(b) for b in status[1:]]
assert status[1]["Final-Recipient"] == "rfc822; alice@relay.test"
print("delivered notice for alice@relay.test")
PY
echo "--- a message with too many Received fields is refused (554 5.4.6)"
timeout 30 python3 - "$rl_smtp" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.login("alice", "secret")
loop = b"".join(b"Received: from hop%d.example by hop%d.example; Thu, 1 Jan 2026 00:00:00 +0000\r\n" % (i, i + 1) for i in range(51))
try:
    s.sendmail("alice@relay.test", ["bob@remote.example"], loop + b"Subject: loop\r\n\r\nx\r\n")
    raise SystemExit("a looping message was accepted")
except smtplib.SMTPDataError as e:
    assert e.smtp_code == 554 and e.smtp_error.startswith(b"5.4.6"), e
s.quit()
PY
stop "$rl_pid"
stop "$hop_pid"

echo "--- a next hop without 8BITMIME and SMTPUTF8; a recipient deferred past --queue-lifetime"
wait_notice() { # MAILDIR NAME: waits up to 30 s for a message in MAILDIR/new
    for _ in $(seq 150); do
        [ -n "$(ls -A "$1/new" 2>/dev/null)" ] && return 0
        sleep 0.2
    done
    echo "no notice in $1" >&2
    tail -20 "$rl/$2.log"
    return 1
}
NEXTHOP_PLAIN=1 start_hop "$rl/hopD" 0 4:hal@remote.example
start_relay d "$rl/data-d" --user alice:secret --relay "127.0.0.1:$hop_port" --queue-lifetime 3
send "$rl_smtp" alice@relay.test bob@remote.example "$rl/sent/1.eml" alice:secret
wait_notice "$rl/data-d/alice" d
python3 .ci/peers/relay_check.py notice "$rl/data-d/alice" bob@remote.example
grep -q '^Status: 5.6.3' "$rl/data-d/alice/new/"* || { cat "$rl/data-d/alice/new/"*; exit 1; }
rm "$rl/data-d/alice/new/"*
send "$rl_smtp" alice@relay.test 'müller@remote.example' "$rl/sent/3.eml" alice:secret
wait_notice "$rl/data-d/alice" d
python3 .ci/peers/relay_check.py notice "$rl/data-d/alice" 'müller@remote.example'
grep -q '^Status: 5.6.7' "$rl/data-d/alice/new/"* || { cat "$rl/data-d/alice/new/"*; exit 1; }
rm "$rl/data-d/alice/new/"*
send "$rl_smtp" alice@relay.test bob@remote.example,hal@remote.example "$rl/sent/5.eml" alice:secret
wait_file "$rl/hopD/1.eml"
python3 .ci/peers/relay_check.py hop "$rl/hopD" 1 bob@remote.example
wait_notice "$rl/data-d/alice" d
python3 .ci/peers/relay_check.py notice "$rl/data-d/alice" hal@remote.example
grep -q '^Status: 5.4.7' "$rl/data-d/alice/new/"* &&
    grep -q '^Diagnostic-Code: smtp; 451 4.2.1' "$rl/data-d/alice/new/"* ||
    { cat "$rl/data-d/alice/new/"*; exit 1; }
wait_queue_empty "$rl/data-d" d
stop "$rl_pid"
stop "$hop_pid"

echo "--- a next hop that answers 451 twice, then accepts, gets the message once"
start_hop "$rl/hopB" 2
start_relay b "$rl/data-b" --relay "127.0.0.1:$hop_port" --open-relay-loopback
send "$rl_smtp" alice@relay.test bob@remote.example "$rl/sent/5.eml"
wait_file "$rl/hopB/1.eml"
wait_queue_empty "$rl/data-b" b
sleep 2 # time for a wrong second delivery
python3 .ci/peers/relay_check.py hop "$rl/hopB" 1 bob@remote.example
python3 .ci/peers/relay_check.py same "$rl/hopB/1.eml" "$rl/sent/5.eml" relay.test
[ "$(cat "$rl/hopB/attempts")" = 3 ] || { echo "attempts: $(cat "$rl/hopB/attempts")"; exit 1; }
[ "$(grep -c 'relay: deferred' "$rl/b.log")" = 2 ] || { tail -20 "$rl/b.log"; exit 1; }
stop "$rl_pid"
stop "$hop_pid"

echo "--- killed with queued mail, started again: each recipient gets the message once"
start_hop "$rl/hopC" 0 4:erin@remote.example
hop_c=$hop_port
start_relay c "$rl/data-c" --relay "127.0.0.1:$hop_c" --open-relay-loopback
send "$rl_smtp" alice@relay.test frank@remote.example,erin@remote.example "$rl/sent/6.eml"
wait_file "$rl/hopC/1.eml"
python3 .ci/peers/relay_check.py hop "$rl/hopC" 1 frank@remote.example
for _ in $(seq 100); do
    [ "$(grep -c 'relay: deferred.*erin' "$rl/c.log")" -ge 2 ] && break
    sleep 0.2
done
[ "$(grep -c 'relay: deferred.*erin' "$rl/c.log")" -ge 2 ] || { tail -20 "$rl/c.log"; exit 1; }
python3 .ci/peers/relay_check.py hop "$rl/hopC" 1 frank@remote.example
# The next hop goes down; a message is queued for it; the relay is killed.
stop "$hop_pid"
send "$rl_smtp" alice@relay.test gina@remote.example "$rl/sent/7.eml"
{ kill -9 "$rl_pid" && wait "$rl_pid"; } 2>/dev/null || true
[ "$(ls "$rl/data-c/.queue/"*.json | wc -l)" = 2 ] || { ls -l "$rl/data-c/.queue"; exit 1; }
hop_port_next=$hop_c
start_hop "$rl/hopC2" 0
start_relay c2 "$rl/data-c" --relay "127.0.0.1:$hop_c"
wait_queue_empty "$rl/data-c" c2
sleep 2 # time for a wrong second delivery
python3 .ci/peers/relay_check.py hop "$rl/hopC" 1 frank@remote.example
[ "$(ls "$rl/hopC2/"*.eml | wc -l)" = 2 ] || { ls -l "$rl/hopC2"; exit 1; }
python3 - "$rl/hopC2" "$rl/sent" <<'PY'
import glob, json, sys
got = {}
for path in glob.glob(sys.argv[1] + "/*.json"):
    env = json.load(open(path))
    got[tuple(env["rcpt_tos"])] = open(path[:-5] + ".eml", "rb").read()
assert sorted(got) == [("erin@remote.example",), ("gina@remote.example",)], sorted(got)
assert got[("erin@remote.example",)].endswith(open(sys.argv[2] + "/6.eml", "rb").read())
assert got[("gina@remote.example",)].endswith(open(sys.argv[2] + "/7.eml", "rb").read())
print("after the restart: erin and gina once each, frank not again")
PY
stop "$rl_pid"
stop "$hop_pid"

echo "--- relay -> another mailserver with STARTTLS and AUTH"
rl_host=far.test start_relay far "$rl/data-far" --user bob:farpass --user relayer:relaypass --domain remote.example
far_smtp=$rl_smtp
far_pid=$rl_pid
start_relay near "$rl/data-near" --user alice:secret --relay "127.0.0.1:$far_smtp" \
    --relay-starttls --relay-insecure --relay-auth relayer:relaypass
send "$rl_smtp" alice@relay.test bob@remote.example "$rl/sent/4.eml" alice:secret
for _ in $(seq 150); do
    [ -n "$(ls -A "$rl/data-far/bob/new" 2>/dev/null)" ] && break
    sleep 0.2
done
far_file=$(ls "$rl/data-far/bob/new/"* | head -1)
# The far server's Return-Path and Received, then the relay's Received.
python3 .ci/peers/relay_check.py same "$far_file" "$rl/sent/4.eml" relay.test
grep -q 'TLS established' "$rl/far.log" && grep -q 'authenticated.*user=relayer' "$rl/far.log" ||
    { tail -20 "$rl/far.log"; exit 1; }
grep -q 'with ESMTPSA' "$far_file" || { head -8 "$far_file"; exit 1; }
wait_queue_empty "$rl/data-near" near
stop "$rl_pid"
stop "$far_pid"

echo "--- relay -> Postfix (private instance): byte-identical, DSN parameters passed on"
rpf=$rl/postfix
rpf_port=$(free_port)
printf 'bob@example.com example.com/bob/\n' >"$rl/vmailbox"
on_exit "timeout 30 postfix -c '$rpf/conf' stop >/dev/null 2>&1"
.ci/peers/postfix.sh "$rpf" "$rpf_port" "$rl/vmail" "$rl/vmailbox"
# Through a recording relay, to see the commands Postfix was sent.
rec_port=$(free_port)
python3 .ci/peers/relay.py "$rec_port" "$rpf_port" "$rl/pf.client.bin" "$rl/pf.server.bin" &
rec_pid=$!
pids+=($rec_pid)
wait_file "$rl/pf.client.bin.ready"
start_relay pf "$rl/data-pf" --user alice:secret --relay "127.0.0.1:$rec_port"
send "$rl_smtp" alice@relay.test bob@example.com "$rl/sent/1.eml" alice:secret \
    "RET=HDRS ENVID=QQ+2B1" "NOTIFY=FAILURE ORCPT=rfc822;bob@example.com"
for _ in $(seq 150); do
    [ -n "$(ls -A "$rl/vmail/example.com/bob/new" 2>/dev/null)" ] && break
    sleep 0.2
done
sed 's/\r$//' "$rl/sent/1.eml" >"$rl/sent/1.lf"
python3 .ci/peers/relay_check.py same "$(ls "$rl/vmail/example.com/bob/new/"* | head -1)" \
    "$rl/sent/1.lf" relay.test --lf || { tail -20 "$rpf/maillog"; exit 1; }
wait_queue_empty "$rl/data-pf" pf
timeout 30 tail --pid="$rec_pid" -f /dev/null
grep -qa '^MAIL FROM:<alice@relay.test> SIZE=[0-9]* BODY=8BITMIME RET=HDRS ENVID=QQ+2B1' "$rl/pf.client.bin" &&
    grep -qa '^RCPT TO:<bob@example.com> NOTIFY=FAILURE ORCPT=rfc822;bob@example.com' "$rl/pf.client.bin" ||
    { grep -a '^MAIL\|^RCPT\|^EHLO' "$rl/pf.client.bin"; exit 1; }
stop "$rl_pid"
echo "relay: all passed"
