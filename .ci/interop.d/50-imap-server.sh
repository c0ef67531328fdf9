# imap-server against real IMAP clients: Python's imaplib, curl's imap://,
# fetchmail and mbsync, over the Maildir smtp-server delivers into (messages
# compared byte for byte with the files); then the ENVELOPE and
# BODYSTRUCTURE imap-server computes for every corpus message against
# Dovecot's, differences accepted only with a reason
# (.ci/peers/imap_srv_compare.py).

echo "--- building imap-server and smtp-server"
cargo build --quiet --example imap-server --example smtp-server
imsrv_bin="${CARGO_TARGET_DIR:-target}/debug/examples"
imsrv="$work/imapsrv"
imsrv_md="$imsrv/Maildir"
mkdir -p "$imsrv"

imsrv_smtp=$(free_port)
"$imsrv_bin/smtp-server" --listen "127.0.0.1:$imsrv_smtp" --maildir "$imsrv_md" \
    >"$imsrv/smtp.out" 2>"$imsrv/smtp.log" &
pids+=($!)
imsrv_port=$(free_port)
"$imsrv_bin/imap-server" --listen "127.0.0.1:$imsrv_port" --maildir "$imsrv_md" \
    --user alice:secret --poll 0.3 >"$imsrv/imap.log" 2>&1 &
pids+=($!)
wait_port "$imsrv_smtp"
wait_port "$imsrv_port"
imsrv_fail() { echo "imap-server's log:"; tail -50 "$imsrv/imap.log"; return 1; }

echo "--- three messages delivered by smtp-server"
timeout 30 python3 - "$imsrv_smtp" <<'PY'
import smtplib, sys
msgs = [
    ("alice@example.org", b"From: Alice <alice@example.org>\r\nTo: alice@example.org\r\nSubject: Subject one\r\n"
     b"Date: Thu, 1 Feb 2024 10:00:00 +0000\r\nX-Test: marker\r\nMessage-ID: <one@example.org>\r\n\r\nfirst message\r\n"),
    ("alice@example.org", b"From: Alice <alice@example.org>\r\nTo: alice@example.org\r\nSubject: Subject two\r\n"
     b"Date: Fri, 2 Feb 2024 10:00:00 +0000\r\n\r\na zebra in the body\r\nsecond line\r\n"),
    ("bob@example.org", b"From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: three parts\r\n"
     b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
     b"--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nfirst part\r\n"
     b"--b1\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<p>second part</p>\r\n--b1--\r\n"),
]
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
    for sender, data in msgs:
        s.sendmail(sender, ["alice@example.org"], data)
PY

echo "--- Python's imaplib against imap-server"
timeout 60 python3 .ci/peers/imap_srv_imaplib.py "$imsrv_port" "$imsrv_md" alice secret "$imsrv_smtp" \
    >"$imsrv/imaplib.log" 2>&1 || { cat "$imsrv/imaplib.log"; imsrv_fail; }
grep -c '^ok:' "$imsrv/imaplib.log" | sed 's/^/  checks passed: /'
grep -q 'TLS established' "$imsrv/imap.log" || imsrv_fail

# The UID of each INBOX file, from the uid list imap-server keeps.
imsrv_uid_file() { # UID: the path of that message's file
    local unique
    unique=$(awk -v u="$1" 'NR > 1 && $1 == u { print $2 }' "$imsrv_md/mailwire-uidlist")
    ls "$imsrv_md"/new/"$unique" "$imsrv_md"/cur/"$unique":2,* 2>/dev/null | head -1
}

echo "--- curl's imap:// against imap-server (LIST, SELECT + FETCH, SEARCH, APPEND)"
imsrv_curl() { timeout 30 curl -sS --max-time 20 -u alice:secret "$@"; }
imsrv_curl "imap://127.0.0.1:$imsrv_port/" >"$imsrv/curl-list.txt"
grep -q '"\." INBOX' "$imsrv/curl-list.txt" && grep -q 'Archive' "$imsrv/curl-list.txt"
for imsrv_u in $(awk 'NR > 1 { print $1 }' "$imsrv_md/mailwire-uidlist"); do
    imsrv_curl "imap://127.0.0.1:$imsrv_port/INBOX;UID=$imsrv_u" -o "$imsrv/curl-$imsrv_u.eml" ||
        { echo "UID $imsrv_u:"; cat "$imsrv_md/mailwire-uidlist"; ls -R "$imsrv_md"; false; }
    cmp "$imsrv/curl-$imsrv_u.eml" "$(imsrv_uid_file "$imsrv_u")"
done
imsrv_curl "imap://127.0.0.1:$imsrv_port/INBOX?SUBJECT%20%22during%20idle%22" >"$imsrv/curl-search.txt"
grep -Eq '^\* SEARCH [0-9]+' "$imsrv/curl-search.txt"
printf 'From: curl@example.org\r\nSubject: curl upload\r\n\r\nuploaded by curl\r\n' >"$imsrv/upload.eml"
imsrv_curl -T "$imsrv/upload.eml" "imap://127.0.0.1:$imsrv_port/INBOX"
grep -rlq 'uploaded by curl' "$imsrv_md/new" "$imsrv_md/cur"
cmp "$imsrv/upload.eml" "$(grep -rl 'uploaded by curl' "$imsrv_md/new" "$imsrv_md/cur")"
# STARTTLS with curl, certificate not checked (self-signed at start).
imsrv_u=$(awk 'NR == 2 { print $1 }' "$imsrv_md/mailwire-uidlist")
imsrv_curl --ssl-reqd -k "imap://127.0.0.1:$imsrv_port/INBOX;UID=$imsrv_u" -o "$imsrv/curl-tls.eml"
cmp "$imsrv/curl-tls.eml" "$(imsrv_uid_file "$imsrv_u")"
echo "  curl: every INBOX message byte for byte, SEARCH, APPEND, STARTTLS"

echo "--- fetchmail against imap-server (IMAP, fetchall keep, --mda saves each message)"
mkdir -p "$imsrv/fetchmail/home" "$imsrv/fetchmail/out"
cat >"$imsrv/fetchmail/rc" <<RC
set no syslog
poll 127.0.0.1 with proto IMAP port $imsrv_port
  user "alice" there with password "secret" is "root" here
  options fetchall keep sslproto ''
  mda "python3 $PWD/.ci/peers/pop3_ex_mda.py $imsrv/fetchmail/out"
RC
chmod 600 "$imsrv/fetchmail/rc"
HOME="$imsrv/fetchmail/home" timeout 60 fetchmail --nodetach -f "$imsrv/fetchmail/rc" \
    --idfile "$imsrv/fetchmail/ids" --pidfile "$imsrv/fetchmail/pid" -v >"$imsrv/fetchmail/log" 2>&1 ||
    { cat "$imsrv/fetchmail/log"; imsrv_fail; }
timeout 30 python3 - "$imsrv/fetchmail/out" "$imsrv_md" <<'PY'
import glob, os, re, sys
# fetchmail hands messages to its MDA with LF line ends and its own
# Received: field inserted into the header: both undone before comparing.
def strip(data):
    return re.sub(rb"Received: from 127\.0\.0\.1 \[127\.0\.0\.1\]\n(?:[ \t][^\n]*\n)*", b"", data, count=1)
got = sorted(strip(open(p, "rb").read()) for p in glob.glob(os.path.join(sys.argv[1], "*")))
want = sorted(open(p, "rb").read().replace(b"\r\n", b"\n")
              for p in glob.glob(os.path.join(sys.argv[2], "cur", "*")) + glob.glob(os.path.join(sys.argv[2], "new", "*")))
assert got == want and got, (len(got), len(want))
PY
echo "  fetchmail: $(ls "$imsrv/fetchmail/out" | wc -l) messages, the same bytes (after its Received: line)"

echo "--- mbsync against imap-server (INBOX pulled into a local Maildir)"
if command -v mbsync >/dev/null; then
    mkdir -p "$imsrv/mbsync/local"
    cat >"$imsrv/mbsync/rc" <<RC
IMAPAccount test
Host 127.0.0.1
Port $imsrv_port
User alice
Pass secret
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account test

MaildirStore local
Path $imsrv/mbsync/local/
Inbox $imsrv/mbsync/local/INBOX

Channel inbox
Far :remote:
Near :local:
Patterns INBOX
Create Near
Sync Pull
SyncState *
RC
    timeout 60 mbsync -c "$imsrv/mbsync/rc" -a >"$imsrv/mbsync/log" 2>&1 || { cat "$imsrv/mbsync/log"; imsrv_fail; }
    timeout 30 python3 - "$imsrv/mbsync/local/INBOX" "$imsrv_md" <<'PY'
import glob, os, sys
# mbsync stores messages with the platform's LF line ends and adds its
# X-TUID: tracking field; the rest is compared byte for byte.
import re
def msgs(d):
    return sorted(re.sub(rb"X-TUID: [^\n]*\n", b"", open(p, "rb").read().replace(b"\r\n", b"\n"), count=1)
                  for p in glob.glob(os.path.join(d, "cur", "*")) + glob.glob(os.path.join(d, "new", "*")))
got, want = msgs(sys.argv[1]), msgs(sys.argv[2])
if got != want:
    for g, w in zip(got, want):
        if g != w:
            print(repr(g[:300]), "\n", repr(w[:300]))
assert got == want and got, (len(got), len(want))
print(f"  mbsync: {len(got)} messages, byte for byte")
PY
else
    echo "  mbsync not installed (Debian package isync): skipped"
fi

echo "--- ENVELOPE and BODYSTRUCTURE of the corpus: imap-server against Dovecot"
imsrv_corpus="${MAILWIRE_CORPUS:-../shared/corpus/mime}"
imsrv_dv="$imsrv/dovecot"
imsrv_dv_imap=$(free_port)
imsrv_dv_pop3=$(free_port)
.ci/peers/dovecot.sh "$imsrv_dv" "$imsrv_dv_imap" "$imsrv_dv_pop3"
imsrv_stop_dovecot() { doveadm -c "$imsrv/dovecot/dovecot.conf" stop 2>/dev/null || true; }
on_exit imsrv_stop_dovecot
imsrv_dvmd="$imsrv_dv/mail/test/Maildir"
imsrv_ours="$imsrv/corpus-Maildir"
mkdir -p "$imsrv_dvmd"/{new,cur,tmp} "$imsrv_ours"/{new,cur,tmp}
imsrv_n=0
for f in "$imsrv_corpus"/*.eml; do
    imsrv_n=$((imsrv_n + 1))
    cp "$f" "$imsrv_dvmd/new/1700000000.M${imsrv_n}P1.corpus"
    cp "$f" "$imsrv_ours/new/1700000000.M${imsrv_n}P1.corpus"
done
chown -R mailwire:mailwire "$imsrv_dv/mail"
imsrv_port2=$(free_port)
"$imsrv_bin/imap-server" --listen "127.0.0.1:$imsrv_port2" --maildir "$imsrv_ours" \
    --user test:secret --no-starttls >"$imsrv/corpus.log" 2>&1 &
pids+=($!)
wait_port "$imsrv_port2"
timeout 60 python3 .ci/peers/imap_srv_compare.py fetch "$imsrv_port2" test secret "$imsrv/ours.bin"
timeout 60 python3 .ci/peers/imap_srv_compare.py fetch "$imsrv_dv_imap" test secret "$imsrv/dovecot.bin"
timeout 60 python3 .ci/peers/imap_srv_compare.py compare "$imsrv/ours.bin" "$imsrv/dovecot.bin" "$imsrv_corpus"
# Everything imap-server sent decodes with mailwire's own decoder, typed.
"$trace" imap server <"$imsrv/ours.bin" >"$imsrv/ours.jsonl"
timeout 30 python3 - "$imsrv/ours.jsonl" "$imsrv_n" <<'PY'
import json, sys
fetches = [json.loads(l) for l in open(sys.argv[1])]
fetches = [f for f in fetches if f.get("name") == "FETCH"]
assert len(fetches) == int(sys.argv[2]), (len(fetches), sys.argv[2])
bad = [f for f in fetches if f.get("other_items") or f.get("type") == "error"]
assert not bad, bad[:3]
print(f"  {len(fetches)} FETCH responses of imap-server decode typed (trace imap server)")
PY
