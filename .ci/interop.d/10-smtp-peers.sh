# SMTP clients (smtplib, curl, swaks) and server (aiosmtpd): their commands
# and replies decode with the trace example.

echo "--- aiosmtpd: its replies to a pipelined session decode (trace smtp server)"
aiosmtpd_port=$(free_port)
PYTHONPATH=.ci/peers python3 -m aiosmtpd -n -l "127.0.0.1:$aiosmtpd_port" -c aiosmtpd_handlers.PipeliningSink &
pids+=($!)
wait_port "$aiosmtpd_port"
timeout 60 python3 .ci/peers/capture.py 127.0.0.1 "$aiosmtpd_port" "$work/client.bin" "$work/server.bin" <<'SCRIPT'
EHLO client.example
<wait>
MAIL FROM:<sender@example.org> SIZE=220
RCPT TO:<one@example.com>
RCPT TO:<two@example.com>
RCPT TO:<"quoted local"@example.com>
DATA
<wait>
From: sender@example.org
To: one@example.com
Subject: interop

..a line that starts with a dot
.
<wait>
NOOP
RSET
NOT-A-COMMAND
VRFY one@example.com
QUIT
SCRIPT
"$trace" smtp server <"$work/server.bin" >"$work/server.jsonl"
python3 .ci/peers/check_smtp_replies.py "$work/server.bin" "$work/server.jsonl" \
    220 250 250 250 250 250 354 250 250 250 500 252 221

echo "--- Python's smtplib: its commands decode (trace smtp client), and aiosmtpd's replies"
relay_session smtplib smtp "$aiosmtpd_port" timeout 60 python3 .ci/peers/smtplib_send.py
python3 .ci/peers/check_commands.py "$work/smtplib.client.jsonl" verb EHLO MAIL RCPT RCPT DATA data QUIT
python3 .ci/peers/check_smtp_replies.py "$work/smtplib.server.bin" "$work/smtplib.server.jsonl"

curl_send() { # PORT
    printf 'From: a@example.org\r\nSubject: curl\r\n\r\n.dot\r\nbody\r\n' >"$work/curl.eml"
    curl --silent --show-error --max-time 20 "smtp://127.0.0.1:$1/client.example" \
        --mail-from sender@example.org --mail-rcpt one@example.com --mail-rcpt two@example.com \
        --upload-file "$work/curl.eml"
}
echo "--- curl smtp://: its commands decode, and aiosmtpd's replies"
relay_session curl smtp "$aiosmtpd_port" curl_send
python3 .ci/peers/check_commands.py "$work/curl.client.jsonl" verb EHLO MAIL RCPT RCPT DATA data QUIT
python3 .ci/peers/check_smtp_replies.py "$work/curl.server.bin" "$work/curl.server.jsonl"

swaks_send() { # PORT
    timeout 60 swaks --server "127.0.0.1:$1" --helo client.example --from sender@example.org \
        --to one@example.com,two@example.com --pipeline --body $'.dot\r\nbody' --timeout 20
}
echo "--- swaks --pipeline: its pipelined commands decode, and aiosmtpd's replies"
relay_session swaks smtp "$aiosmtpd_port" swaks_send
# Pipelined: MAIL, both RCPTs and DATA left swaks before any answer to them.
python3 - "$work/swaks.log" <<'PY'
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1])]
start = next(i for i, l in enumerate(lines) if l.startswith(" -> MAIL FROM"))
group = lines[start:start + 4]
if not all(l.startswith(" -> ") for l in group) or not group[3].startswith(" -> DATA"):
    sys.exit("swaks did not pipeline: %r" % group)
print("  swaks sent MAIL, RCPT, RCPT, DATA in one group")
PY
python3 .ci/peers/check_commands.py "$work/swaks.client.jsonl" verb EHLO MAIL RCPT RCPT DATA data QUIT
python3 .ci/peers/check_smtp_replies.py "$work/swaks.server.bin" "$work/swaks.server.jsonl"

