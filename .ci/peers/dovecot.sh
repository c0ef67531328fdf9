#!/usr/bin/env bash
# Starts a private Dovecot (IMAP and POP3 on loopback) for the interop tests.
#
# usage: dovecot.sh DIR IMAP_PORT POP3_PORT
# Creates DIR with the configuration, a user `test` (password `secret`) whose
# mail lives in DIR/mail/test (Maildir, owned by the unprivileged system user
# `mailwire`, created if missing), starts Dovecot in the background and waits
# until both ports answer. Stop it with `doveadm -c DIR/dovecot.conf stop`.
set -euo pipefail
dir=$1 imap_port=$2 pop3_port=$3

id mailwire >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin mailwire
uid=$(id -u mailwire) gid=$(id -g mailwire)
mkdir -p "$dir/run" "$dir/state" "$dir/mail/test"
chown -R mailwire:mailwire "$dir/mail"
printf 'test:{PLAIN}secret:%s:%s::%s/mail/test\n' "$uid" "$gid" "$dir" >"$dir/users"

cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = $uid
last_valid_uid = $uid
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/users
}
service imap-login {
  inet_listener imap {
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $pop3_port
  }
  inet_listener pop3s {
    port = 0
  }
}
CONF

dovecot -c "$dir/dovecot.conf"
for port in "$imap_port" "$pop3_port"; do
    for _ in $(seq 100); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
        sleep 0.1
    done
done
