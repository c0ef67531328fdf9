//! The relay queue on disk: one entry per accepted message for remote
//! recipients, in `DATA/.queue/`.
//!
//! - `ID.eml` holds the message (with this server's `Received:` field),
//!   written once and synced.
//! - `ID.json` holds the envelope and the state of each recipient, the
//!   `MAIL` and `RCPT` commands kept as the SMTP text the client sent (so
//!   the codec reads them back with every parameter); it is replaced
//!   through a synced temporary file renamed into place, after every
//!   change.
//!
//! The envelope is written after the message: an entry exists once its
//! `ID.json` does, which happens before the `250`. An `ID.eml` without
//! one, found at start, is a message that was never acknowledged and is
//! removed. A recipient the next hop accepted is marked before anything
//! else happens, so a restart never sends it the message again.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use mailwire::smtp::Limits;
use mailwire::smtp::decode;
use mailwire::smtp::encode::Encode;
use mailwire::smtp::types::{Command, ForwardPath, MailParams, RcptParams, ReversePath};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::support::client::save;
use crate::support::smtp_conn::Outbound;

/// Where a recipient stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Not yet accepted by the next hop.
    Pending,
    /// Accepted by the next hop; a "relayed" notification is owed
    /// (`NOTIFY=SUCCESS` and the next hop does not do DSN).
    Relayed,
    /// Failed for good; a notification is owed.
    Failed,
    /// Finished: accepted, or failed and reported.
    Done,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Relayed => "relayed",
            State::Failed => "failed",
            State::Done => "done",
        }
    }

    fn parse(s: &str) -> Option<State> {
        Some(match s {
            "pending" => State::Pending,
            "relayed" => State::Relayed,
            "failed" => State::Failed,
            "done" => State::Done,
            _ => return None,
        })
    }
}

/// One recipient of a queued message.
#[derive(Debug, Clone)]
pub(crate) struct Recipient {
    pub(crate) to: ForwardPath<'static>,
    pub(crate) params: RcptParams<'static>,
    pub(crate) state: State,
    /// The enhanced status of the last outcome (`4.4.1`, `5.1.1`).
    pub(crate) status: Option<String>,
    /// The last reply about it (`550 5.1.1 No such user`) or what went
    /// wrong (`connection refused`).
    pub(crate) reply: Option<String>,
    /// The server that gave the reply.
    pub(crate) remote: Option<String>,
}

/// A queued message's envelope and progress.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) from: ReversePath<'static>,
    pub(crate) params: MailParams<'static>,
    pub(crate) recipients: Vec<Recipient>,
    /// Seconds since the epoch.
    pub(crate) arrival: u64,
    pub(crate) attempts: u32,
    /// Not tried again before this (seconds since the epoch).
    pub(crate) next: u64,
}

impl Entry {
    /// Every recipient is finished.
    pub(crate) fn is_done(&self) -> bool {
        self.recipients.iter().all(|r| r.state == State::Done)
    }
}

/// The queue directory, and a bell rung when an entry is added.
#[derive(Debug)]
pub(crate) struct Queue {
    dir: PathBuf,
    wake: Notify,
}

/// Seconds since the epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Commands are kept as the client's SMTP text: the limit is generous.
fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.command_line = 64 * 1024;
    limits
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// `command` as one line of SMTP text, without its CRLF.
fn command_text(command: &Command<'_>) -> String {
    let bytes = command.to_bytes();
    let line = bytes.strip_suffix(b"\r\n").unwrap_or(&bytes);
    String::from_utf8_lossy(line).into_owned()
}

fn parse_command(text: &str) -> io::Result<Command<'static>> {
    let line = format!("{text}\r\n");
    match decode::command(line.as_bytes(), &limits()) {
        Ok(decode::Decoded::Complete { value, .. }) => Ok(value.into_owned()),
        _ => Err(bad("a command in the queue file does not parse")),
    }
}

impl Entry {
    fn to_json(&self) -> Value {
        let mail = command_text(&Command::Mail {
            from: self.from.clone(),
            params: self.params.clone(),
            source_route: false,
        });
        let recipients: Vec<Value> = self
            .recipients
            .iter()
            .map(|r| {
                json!({
                    "rcpt": command_text(&Command::Rcpt {
                        to: r.to.clone(),
                        params: r.params.clone(),
                        source_route: false,
                    }),
                    "state": r.state.as_str(),
                    "status": r.status,
                    "reply": r.reply,
                    "remote": r.remote,
                })
            })
            .collect();
        json!({
            "id": self.id,
            "mail": mail,
            "recipients": recipients,
            "arrival": self.arrival,
            "attempts": self.attempts,
            "next": self.next,
        })
    }

    fn from_json(value: &Value) -> io::Result<Entry> {
        let text = |v: &Value, key: &str| -> io::Result<String> {
            v.get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| bad(key))
        };
        let optional = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
        let number = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_u64)
                .ok_or_else(|| bad(key))
        };
        let Command::Mail { from, params, .. } = parse_command(&text(value, "mail")?)? else {
            return Err(bad("mail"));
        };
        let mut recipients = Vec::new();
        for r in value
            .get("recipients")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("recipients"))?
        {
            let Command::Rcpt { to, params, .. } = parse_command(&text(r, "rcpt")?)? else {
                return Err(bad("rcpt"));
            };
            recipients.push(Recipient {
                to,
                params,
                state: State::parse(&text(r, "state")?).ok_or_else(|| bad("state"))?,
                status: optional(r, "status"),
                reply: optional(r, "reply"),
                remote: optional(r, "remote"),
            });
        }
        Ok(Entry {
            id: text(value, "id")?,
            from,
            params,
            recipients,
            arrival: number("arrival")?,
            attempts: u32::try_from(number("attempts")?).unwrap_or(u32::MAX),
            next: number("next")?,
        })
    }
}

/// A name no other entry has, in arrival order.
fn unique_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}.M{:06}P{}Q{}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A name the queue may hold: what [`unique_id`] makes.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
}

impl Queue {
    /// Opens (creating it if needed) the queue in `dir`, and removes
    /// what an interrupted write left: temporary files, and messages
    /// whose envelope was never written (never acknowledged).
    pub(crate) fn open(dir: &Path) -> io::Result<Queue> {
        std::fs::create_dir_all(dir)?;
        for item in std::fs::read_dir(dir)? {
            let item = item?;
            let name = item.file_name().to_string_lossy().into_owned();
            let orphan = name
                .strip_suffix(".eml")
                .is_some_and(|id| !dir.join(format!("{id}.json")).exists());
            if name.starts_with(".tmp.") || orphan {
                tracing::info!(file = %name, "queue: removing an incomplete file");
                std::fs::remove_file(item.path())?;
            }
        }
        Ok(Queue {
            dir: dir.to_path_buf(),
            wake: Notify::new(),
        })
    }

    fn message_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.eml"))
    }

    fn envelope_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Adds a message for its remote recipients: message, then
    /// envelope, each synced. Returns the entry's id.
    pub(crate) fn add(&self, outbound: &Outbound<'_>) -> io::Result<String> {
        let id = unique_id();
        let arrival = now();
        let entry = Entry {
            id: id.clone(),
            from: outbound.from.clone(),
            params: outbound.params.clone(),
            recipients: outbound
                .recipients
                .iter()
                .map(|(to, params)| Recipient {
                    to: to.clone(),
                    params: params.clone(),
                    state: State::Pending,
                    status: None,
                    reply: None,
                    remote: None,
                })
                .collect(),
            arrival,
            attempts: 0,
            next: arrival,
        };
        let message = self.message_path(&id);
        if let Err(e) = save(&message, outbound.message).and_then(|()| self.save(&entry)) {
            let _ = std::fs::remove_file(&message);
            return Err(e);
        }
        self.wake.notify_one();
        Ok(id)
    }

    /// Writes the entry's envelope and state, replacing the old one.
    pub(crate) fn save(&self, entry: &Entry) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(&entry.to_json()).map_err(io::Error::other)?;
        save(&self.envelope_path(&entry.id), &bytes)
    }

    /// Removes a finished entry: the envelope first, so a crash between
    /// the two leaves an orphan message that the next start removes.
    pub(crate) fn remove(&self, id: &str) -> io::Result<()> {
        std::fs::remove_file(self.envelope_path(id))?;
        std::fs::remove_file(self.message_path(id))
    }

    /// The queued message.
    pub(crate) fn message(&self, id: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.message_path(id))
    }

    /// Every entry, oldest first. An envelope that cannot be read is
    /// reported and left in place for a person to look at.
    pub(crate) fn entries(&self) -> io::Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for item in std::fs::read_dir(&self.dir)? {
            let item = item?;
            let name = item.file_name().to_string_lossy().into_owned();
            let Some(id) = name.strip_suffix(".json").filter(|id| valid_id(id)) else {
                continue;
            };
            let read = std::fs::read(item.path()).and_then(|bytes| {
                let value: Value = serde_json::from_slice(&bytes).map_err(io::Error::other)?;
                Entry::from_json(&value)
            });
            match read {
                Ok(entry) if entry.id == id => entries.push(entry),
                Ok(_) => tracing::warn!(file = %name, "queue: id does not match the file name"),
                Err(e) => tracing::warn!(file = %name, error = %e, "queue: unreadable envelope"),
            }
        }
        entries.sort_by(|a, b| (a.arrival, &a.id).cmp(&(b.arrival, &b.id)));
        Ok(entries)
    }

    /// Waits until an entry is added (or returns at once if one was
    /// added since the last wait).
    pub(crate) async fn added(&self) {
        self.wake.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailwire::smtp::types::{Mailbox, Notify as NotifyParam, NotifyOn, Orcpt, Ret, XText};

    fn mailbox(s: &str) -> Mailbox<'static> {
        Mailbox::parse(s).unwrap().into_owned()
    }

    #[test]
    fn entries_survive_a_reopen_with_their_parameters() {
        let dir = std::env::temp_dir().join(format!("mailwire-queue-test-{}", unique_id()));
        let queue = Queue::open(&dir).unwrap();
        let from = ReversePath::Mailbox(mailbox("alice@example.org"));
        let mut params = MailParams::default();
        params.ret = Some(Ret::Headers);
        params.envid = Some(XText::new("QQ+2B1").unwrap());
        params.smtputf8 = true;
        let mut rcpt = RcptParams::default();
        rcpt.notify = Some(NotifyParam::On(NotifyOn::new(true, true, false).unwrap()));
        rcpt.orcpt = Some(Orcpt::new("rfc822", XText::new("bob@remote.example").unwrap()).unwrap());
        let recipients = vec![
            (ForwardPath::Mailbox(mailbox("bob@remote.example")), rcpt),
            (
                ForwardPath::Mailbox(mailbox("j\u{f6}rg@m\u{fc}ller.example")),
                RcptParams::default(),
            ),
        ];
        let id = queue
            .add(&Outbound {
                from: &from,
                params: &params,
                recipients: &recipients,
                message: b"Received: x\r\n\r\nbody\r\n",
            })
            .unwrap();
        // An interrupted write, left for the next start to clean.
        std::fs::write(dir.join("1.M1P1Q1.eml"), b"partial").unwrap();
        drop(queue);

        let queue = Queue::open(&dir).unwrap();
        assert!(!dir.join("1.M1P1Q1.eml").exists());
        let mut entries = queue.entries().unwrap();
        assert_eq!(entries.len(), 1);
        let mut entry = entries.remove(0);
        assert_eq!(entry.id, id);
        assert_eq!(entry.from, from);
        assert_eq!(entry.params, params);
        let got: Vec<_> = entry
            .recipients
            .iter()
            .map(|r| (r.to.clone(), r.params.clone()))
            .collect();
        assert_eq!(got, recipients);
        assert_eq!(queue.message(&id).unwrap(), b"Received: x\r\n\r\nbody\r\n");

        entry.recipients[0].state = State::Done;
        entry.recipients[1].reply = Some("451 4.3.0 later".into());
        entry.attempts = 2;
        queue.save(&entry).unwrap();
        let again = queue.entries().unwrap().remove(0);
        assert_eq!(again.recipients[0].state, State::Done);
        assert_eq!(again.recipients[1].state, State::Pending);
        assert_eq!(
            again.recipients[1].reply.as_deref(),
            Some("451 4.3.0 later")
        );
        assert_eq!(again.attempts, 2);
        assert!(!again.is_done());

        queue.remove(&id).unwrap();
        assert!(queue.entries().unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
