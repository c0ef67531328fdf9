# The imap-fetch example against Dovecot's IMAP server, with the messages
# of ../shared/corpus/mime in its Maildir: in clear (LOGIN), with STARTTLS
# checked against a test CA (AUTHENTICATE PLAIN with SASL-IR), resumed
# (nothing to fetch), after an APPEND (one to fetch), and after a change of
# UIDVALIDITY (all again, in small batches). Every message fetched is
# compared byte for byte with what Python's imaplib gets from Dovecot.
# Then the ENVELOPE and BODYSTRUCTURE Dovecot computes for every corpus
# message, captured by a recording relay, decode with our decoder.

echo "--- building imap-fetch"
cargo build --quiet --example imap-fetch
imap_fetch="${CARGO_TARGET_DIR:-target}/debug/examples/imap-fetch"
ifx="$work/imapfetch"
mkdir -p "$ifx"
ifx_corpus="${MAILWIRE_CORPUS:-../shared/corpus/mime}"

# A test CA and a server certificate it signs for 127.0.0.1 and localhost.
imapfetch_certs() { # DIR
    local d=$1
    mkdir -p "$d"
    timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mailwire imap-fetch test CA" \
        -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
    timeout 60 openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
    timeout 60 openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 2 -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null
}
imapfetch_certs "$ifx/certs"

echo "--- a private Dovecot with the corpus in its Maildir, and STARTTLS"
ifx_dv="$ifx/dovecot"
ifx_imap=$(free_port)
ifx_pop3=$(free_port)
.ci/peers/dovecot.sh "$ifx_dv" "$ifx_imap" "$ifx_pop3"
imapfetch_stop_dovecot() { doveadm -c "$ifx/dovecot/dovecot.conf" stop 2>/dev/null || true; }
on_exit imapfetch_stop_dovecot
ifx_maildir="$ifx_dv/mail/test/Maildir"
mkdir -p "$ifx_maildir/new" "$ifx_maildir/cur" "$ifx_maildir/tmp"
ifx_n=0
for f in "$ifx_corpus"/*.eml; do
    ifx_n=$((ifx_n + 1))
    cp "$f" "$ifx_maildir/new/1700000000.M${ifx_n}P1.imapfetch"
done
chown -R mailwire:mailwire "$ifx_dv/mail"
echo "  $ifx_n messages"
# Our TLS-enabled copy of the configuration, with the test CA's certificate.
cp "$ifx/certs/server.key" "$ifx_dv/ssl.key"
cp "$ifx/certs/server.pem" "$ifx_dv/ssl.pem"
sed "s|^ssl = no\$|ssl = yes\nssl_cert = <$ifx_dv/ssl.pem\nssl_key = <$ifx_dv/ssl.key|" "$ifx_dv/dovecot.conf" >"$ifx_dv/dovecot-tls.conf"
mv "$ifx_dv/dovecot-tls.conf" "$ifx_dv/dovecot.conf"
timeout 30 doveadm -c "$ifx_dv/dovecot.conf" reload
for _ in $(seq 100); do
    if timeout 5 python3 -c "import imaplib, sys; i = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]), timeout=3); sys.exit('STARTTLS' not in i.capabilities)" "$ifx_imap" 2>/dev/null; then
        break
    fi
    sleep 0.1
done

imapfetch_run() { # NAME ARGS...: runs imap-fetch against Dovecot, output in $ifx/NAME.txt
    local name=$1
    shift
    timeout 60 "$imap_fetch" --server "127.0.0.1:${imapfetch_port:-$ifx_imap}" --user test --pass secret \
        --timeout 10 "$@" >"$ifx/$name.txt" 2>&1 || {
        cat "$ifx/$name.txt"
        return 1
    }
    cat "$ifx/$name.txt"
}
imapfetch_relayed() { # NAME ARGS... PORT: imapfetch_run through relay_session's port
    local port=${*: -1}
    imapfetch_port=$port imapfetch_run "${@:1:$#-1}"
}
imapfetch_server_clean() { # JSONL: the server side decodes without error
    python3 -c 'import json, sys; e = [json.loads(l) for l in open(sys.argv[1])]; bad = [x for x in e if "error" in x]; assert not bad, bad[:3]; print("  %d server responses decode" % len(e))' "$1"
}

echo "--- imap-fetch in clear (LOGIN), then the same Dovecot with STARTTLS (--ca; AUTHENTICATE PLAIN, SASL-IR)"
relay_session imapfetch_plain imap "$ifx_imap" imapfetch_relayed plain --out "$ifx/plain" --auth login
cat "$ifx/plain.txt"
python3 .ci/peers/check_commands.py "$work/imapfetch_plain.client.jsonl" command \
    LOGIN EXAMINE "UID FETCH" "UID FETCH" "UID FETCH" "UID FETCH" LOGOUT
imapfetch_server_clean "$work/imapfetch_plain.server.jsonl"
grep -q ": $ifx_n messages (UIDVALIDITY [0-9]*), $ifx_n new, $ifx_n fetched" "$ifx/plain.txt"
python3 .ci/peers/imap_fetch_check.py same "$ifx_imap" "$ifx/plain"
python3 .ci/peers/imap_fetch_check.py corpus "$ifx_corpus" "$ifx/plain"
imapfetch_run tls --out "$ifx/tls" --starttls --ca "$ifx/certs/ca.pem"
grep -q ": $ifx_n messages (UIDVALIDITY [0-9]*), $ifx_n new, $ifx_n fetched" "$ifx/tls.txt"
python3 .ci/peers/imap_fetch_check.py same "$ifx_imap" "$ifx/tls"

echo "--- resumed: nothing new to fetch (and --structure: every ENVELOPE and BODYSTRUCTURE decodes)"
imapfetch_run resumed --out "$ifx/tls" --starttls --ca "$ifx/certs/ca.pem" --structure
grep -q ", 0 new, 0 fetched (0 octets), 0 already on disk" "$ifx/resumed.txt"
grep -q "^ENVELOPE and BODYSTRUCTURE of $ifx_n messages decoded" "$ifx/resumed.txt"

echo "--- one message APPENDed by imaplib: exactly one fetched"
printf 'From: a@example.org\r\nTo: test@example.com\r\nSubject: appended\r\n\r\nappended after the first fetch\r\n' \
    >"$ifx/appended.eml"
python3 .ci/peers/imap_fetch_check.py append "$ifx_imap" "$ifx/appended.eml"
imapfetch_run appended --out "$ifx/tls" --starttls --ca "$ifx/certs/ca.pem"
grep -q ": $((ifx_n + 1)) messages (UIDVALIDITY [0-9]*), 1 new, 1 fetched" "$ifx/appended.txt"
python3 .ci/peers/imap_fetch_check.py same "$ifx_imap" "$ifx/tls"
cmp "$ifx/appended.eml" "$(grep -l 'appended after the first fetch' "$ifx"/tls/*.eml)"

echo "--- a changed UIDVALIDITY starts over (batches of 7); files already there are kept"
sed -i 's/^uidvalidity \(.*\)$/uidvalidity 1/' "$ifx/plain/.imap-fetch-state"
find "$ifx/plain" -name '*.eml' | sort | head -20 | xargs rm
relay_session imapfetch_restarted imap "$ifx_imap" imapfetch_relayed restarted --out "$ifx/plain" --batch 7
cat "$ifx/restarted.txt"
python3 .ci/peers/check_commands.py "$work/imapfetch_restarted.client.jsonl" command \
    AUTHENTICATE EXAMINE "UID FETCH" "UID FETCH" "UID FETCH" "UID FETCH" LOGOUT
grep -q '"mechanism":"PLAIN","initial_response":[1-9]' "$work/imapfetch_restarted.client.jsonl"
imapfetch_server_clean "$work/imapfetch_restarted.server.jsonl"
grep -q "UIDVALIDITY changed from 1 to" "$ifx/restarted.txt"
grep -q ": $((ifx_n + 1)) messages (UIDVALIDITY [0-9]*), $((ifx_n + 1)) new, 21 fetched ([0-9]* octets), $((ifx_n - 20)) already on disk" \
    "$ifx/restarted.txt"
python3 .ci/peers/imap_fetch_check.py same "$ifx_imap" "$ifx/plain"

echo "--- the test CA is not trusted without --ca: exit status 1, nothing written"
ifx_status=0
timeout 60 "$imap_fetch" --server "127.0.0.1:$ifx_imap" --user test --pass secret --out "$ifx/untrusted" \
    --starttls --timeout 10 >"$ifx/untrusted.txt" 2>&1 || ifx_status=$?
[ "$ifx_status" = 1 ] || { cat "$ifx/untrusted.txt"; exit 1; }
grep -q "TLS handshake" "$ifx/untrusted.txt"
[ -z "$(find "$ifx/untrusted" -name '*.eml')" ]
ifx_status=0
timeout 10 "$imap_fetch" --server "127.0.0.1:$ifx_imap" --user test >/dev/null 2>&1 || ifx_status=$?
[ "$ifx_status" = 2 ]
echo "  refused with exit 1; a usage error exits 2"

imapfetch_structure() { # PORT
    timeout 60 python3 .ci/peers/imap_fetch_check.py structure "$1"
}
echo "--- Dovecot's ENVELOPE and BODYSTRUCTURE of every corpus message decode (trace imap server)"
relay_session imapfetch_structure imap "$ifx_imap" imapfetch_structure
python3 .ci/peers/imap_fetch_check.py trace "$work/imapfetch_structure.server.jsonl" "$((ifx_n + 1))"
