#!/usr/bin/env bash
# Starts a private Postfix (SMTP on loopback) for the interop tests.
#
# usage: postfix.sh DIR PORT VMAIL MAILBOXES
# Creates DIR with the configuration, queue and data directories, and
# starts Postfix with one smtpd on 127.0.0.1:PORT that accepts mail for the
# virtual domain example.com and delivers it into Maildirs under VMAIL
# (owned by the unprivileged system user `mailwire`, created if missing).
# MAILBOXES is the virtual_mailbox_maps text table (`bob@example.com
# example.com/bob/` lines). Postfix logs to DIR/maillog. Waits until the
# port answers. Stop it with `postfix -c DIR/conf stop`.
set -euo pipefail
dir=$1 port=$2 vmail=$3 mailboxes=$4

id mailwire >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin mailwire
mkdir -p "$dir/conf" "$dir/queue" "$dir/data" "$vmail"
chown mailwire: "$vmail"
chown postfix: "$dir/data"
cp "$mailboxes" "$dir/conf/vmailbox"
cat >"$dir/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.test
mydomain = postfix.test
myorigin = postfix.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.2/32
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
local_header_rewrite_clients =
virtual_mailbox_domains = example.com
virtual_mailbox_base = $vmail
virtual_mailbox_maps = texthash:$dir/conf/vmailbox
virtual_uid_maps = static:$(id -u mailwire)
virtual_gid_maps = static:$(id -g mailwire)
virtual_minimum_uid = 100
alias_maps =
alias_database =
smtputf8_enable = yes
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
biff = no
smtpd_banner = \$myhostname ESMTP
EOF
cat >"$dir/conf/master.cf" <<EOF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
timeout 60 postfix -c "$dir/conf" start >"$dir/start.log" 2>&1 ||
    { cat "$dir/start.log" "$dir/maillog" 2>/dev/null; exit 1; }
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && exit 0
    sleep 0.1
done
echo "Postfix does not listen on port $port" >&2
cat "$dir/maillog" 2>/dev/null
exit 1
