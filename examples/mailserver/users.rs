//! The users of the server and where their mail lives: one Maildir per
//! user under the data directory, and the local domains whose addresses
//! are delivered into them. Each Maildir is also one user's IMAP store,
//! whose notifier a delivery fires so that idling IMAP sessions hear of
//! new mail at once.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::Arc;

use mailwire::smtp::types::{
    ForwardPath, MailParams, Mailbox, Notify, RcptParams, Reply, ReversePath,
};

use crate::dsn;
use crate::queue::Queue;
use crate::support::received;

use crate::support::imap_conn::User as ImapUser;
use crate::support::imap_store::{Notifier, Store};
use crate::support::maildir::Maildir;
use crate::support::pop3_conn::Maildrops;
use crate::support::smtp_conn::{Mailboxes, Outbound, Route, Submitter, reply};

/// The users, their Maildirs, and the local domains.
#[derive(Debug)]
pub(crate) struct Directory {
    /// `(name, password)`, in the order given; the first also receives
    /// the postmaster's mail.
    pub(crate) users: Vec<(String, String)>,
    maildirs: HashMap<String, Maildir>,
    /// The IMAP store over each Maildir, by lower-case user name.
    stores: HashMap<String, Store>,
    /// Lower-case domains and address literals (`[127.0.0.1]`).
    pub(crate) domains: Vec<String>,
    /// The relay queue, when mail for other domains is relayed.
    relay: Option<Arc<Queue>>,
    /// Relay for unauthenticated clients on loopback too.
    open_relay_loopback: bool,
    /// This server's name, in the notices it sends.
    hostname: String,
}

/// Whether `name` can be a user name and a directory name: 1 to 64 of
/// `A-Z a-z 0-9 . _ -`, not starting with a dot.
pub(crate) fn valid_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl Directory {
    /// Opens (creating them if needed) `data/NAME/` for every user.
    pub(crate) fn open(
        data: &Path,
        users: Vec<(String, String)>,
        domains: Vec<String>,
    ) -> io::Result<Directory> {
        let mut maildirs = HashMap::new();
        let mut stores = HashMap::new();
        for (name, _) in &users {
            let maildir = Maildir::open(data.join(name))?;
            let key = name.to_ascii_lowercase();
            stores.insert(
                key.clone(),
                Store::new(maildir.clone(), Notifier::default()),
            );
            maildirs.insert(key, maildir);
        }
        Ok(Directory {
            users,
            maildirs,
            stores,
            domains,
            relay: None,
            open_relay_loopback: false,
            hostname: "localhost".to_owned(),
        })
    }

    /// Relays mail for other domains through `queue`: from authenticated
    /// users, and from any client on loopback when `open_loopback`.
    /// `hostname` signs the delivery notices.
    pub(crate) fn with_relay(
        mut self,
        queue: Arc<Queue>,
        open_loopback: bool,
        hostname: &str,
    ) -> Self {
        self.relay = Some(queue);
        self.open_relay_loopback = open_loopback;
        self.hostname = hostname.to_owned();
        self
    }

    /// Sends a delivery notice (`MAIL FROM:<>`) to `sender`: into the
    /// Maildir of a local sender, or through the relay queue. `about`
    /// names what it reports on, for the trace field. Blocks on the file
    /// system.
    pub(crate) fn send_notice(
        &self,
        sender: &Mailbox<'static>,
        notice: &[u8],
        about: &str,
    ) -> io::Result<String> {
        let to = ForwardPath::Mailbox(sender.clone());
        match self.destination(&to) {
            Some(Route::Local(maildir)) => {
                let mut bytes = format!(
                    "Return-Path: <>\r\nReceived: by {} (mailwire mailserver) id {about};\r\n\t{}\r\n",
                    self.hostname,
                    received::date(std::time::SystemTime::now())
                )
                .into_bytes();
                bytes.extend_from_slice(notice);
                let unique = maildir.deliver(&bytes)?;
                self.wake(&maildir);
                Ok(unique)
            }
            Some(Route::Remote) => {
                let queue = self
                    .relay
                    .as_ref()
                    .ok_or_else(|| io::Error::other("no relay"))?;
                // RFC 3461 §6.1: from <>, NOTIFY=NEVER.
                let mut params = RcptParams::default();
                params.notify = Some(Notify::Never);
                queue.add(&Outbound {
                    from: &ReversePath::Null,
                    params: &MailParams::default(),
                    recipients: &[(to, params)],
                    message: notice,
                })
            }
            None => Err(io::Error::other("no route to the sender")),
        }
    }

    /// Where mail for `to` goes when this server itself sends it (a
    /// delivery notice): a local Maildir, the relay, or nowhere.
    pub(crate) fn destination(&self, to: &ForwardPath<'_>) -> Option<Route> {
        match self.local(to) {
            Ok(Some(maildir)) => Some(Route::Local(maildir)),
            Ok(None) if self.relay.is_some() => Some(Route::Remote),
            _ => None,
        }
    }

    /// The Maildir of a local address; `None` for another domain; the
    /// refusal for an unknown local user.
    fn local(&self, to: &ForwardPath<'_>) -> Result<Option<Maildir>, Reply<'static>> {
        let unknown = || reply(550, (5, 1, 1), "No such user here");
        let mailbox = match to {
            ForwardPath::Postmaster => {
                return self.postmaster().cloned().map(Some).ok_or_else(unknown);
            }
            ForwardPath::Mailbox(mailbox) => mailbox,
        };
        let host = mailbox.host().to_string().to_ascii_lowercase();
        if !self.domains.contains(&host) {
            return Ok(None);
        }
        let local = mailbox.local_part().value();
        let local = local
            .split_once('+')
            .map_or(&*local, |(user, _detail)| user);
        if local.eq_ignore_ascii_case("postmaster") {
            return self.postmaster().cloned().map(Some).ok_or_else(unknown);
        }
        self.maildir(local).cloned().map(Some).ok_or_else(unknown)
    }

    /// Wakes the IMAP sessions idling on the Maildir's INBOX.
    pub(crate) fn wake(&self, maildir: &Maildir) {
        for (name, mine) in &self.maildirs {
            if mine.root() == maildir.root()
                && let Some(store) = self.stores.get(name)
            {
                store.notifier().notify();
            }
        }
    }

    /// The users as the IMAP connections see them: name, password and
    /// the store over their Maildir.
    pub(crate) fn imap_users(&self) -> Vec<ImapUser> {
        self.users
            .iter()
            .filter_map(|(name, password)| {
                let store = self.stores.get(&name.to_ascii_lowercase())?;
                Some(ImapUser {
                    name: name.clone(),
                    password: password.clone(),
                    store: store.clone(),
                })
            })
            .collect()
    }

    /// The Maildir of a user name (any case), if it is one.
    pub(crate) fn maildir(&self, name: &str) -> Option<&Maildir> {
        self.maildirs.get(&name.to_ascii_lowercase())
    }

    fn postmaster(&self) -> Option<&Maildir> {
        self.users.first().and_then(|(name, _)| self.maildir(name))
    }
}

impl Mailboxes for Directory {
    /// `user@domain` for a local domain, `user+detail@domain` too, and
    /// `postmaster` (RFC 5321 §4.5.1) into the first user's Maildir. Any
    /// other domain goes to the relay when there is one and the client
    /// may use it (authenticated, or on loopback with
    /// `--open-relay-loopback`); otherwise it is refused.
    fn route(&self, to: &ForwardPath<'_>, by: &Submitter<'_>) -> Result<Route, Reply<'static>> {
        if let Some(maildir) = self.local(to)? {
            return Ok(Route::Local(maildir));
        }
        let allowed = by.user.is_some() || (self.open_relay_loopback && by.peer.is_loopback());
        if self.relay.is_some() && allowed {
            Ok(Route::Remote)
        } else {
            Err(reply(550, (5, 7, 1), "Relaying denied"))
        }
    }

    fn queue(&self, message: &Outbound<'_>) -> io::Result<String> {
        match &self.relay {
            Some(queue) => queue.add(message),
            None => Err(io::Error::other("this server does not relay")),
        }
    }

    /// Wakes the IMAP sessions idling on the user's INBOX.
    fn delivered(&self, maildir: &Maildir, _unique: &str) {
        self.wake(maildir);
    }

    /// A "delivered" notice (RFC 3461 §5.2.2) for the local recipients
    /// that asked for one with `NOTIFY=SUCCESS`.
    fn notify_delivered(&self, message: &Outbound<'_>) {
        let ReversePath::Mailbox(sender) = message.from else {
            return;
        };
        let recipients = message
            .recipients
            .iter()
            .map(|(to, params)| dsn::Recipient {
                to,
                orcpt: params.orcpt.as_ref(),
                action: dsn::Action::Delivered,
                status: "2.0.0".into(),
                remote_mta: None,
                diagnostic: None,
            })
            .collect();
        let report = dsn::Report {
            reporting_mta: &self.hostname,
            to: sender,
            envid: message.params.envid.as_ref(),
            arrival: received::date(std::time::SystemTime::now()),
            recipients,
            message: message.message,
            full: false,
        };
        let sent = report
            .build()
            .map_err(io::Error::other)
            .and_then(|notice| self.send_notice(sender, &notice, "delivery-notice"));
        match sent {
            Ok(id) => tracing::info!(to = %sender, notice = %id, "delivered notice sent"),
            Err(e) => tracing::warn!(to = %sender, error = %e, "delivered notice not sent"),
        }
    }
}

impl Maildrops for Directory {
    fn maildrop(&self, user: &str) -> Option<Maildir> {
        self.maildir(user).cloned()
    }
}
