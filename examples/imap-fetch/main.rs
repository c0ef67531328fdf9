//! Fetches the messages of an IMAP mailbox into a directory, on
//! `mailwire_imap::session::Client`.
//!
//! ```sh
//! cargo run --example imap-fetch -- --server 127.0.0.1:1143 --user alice --pass secret --out ./mail [--mailbox INBOX] [--starttls]
//! ```
//!
//! The session: the greeting; `CAPABILITY` when the greeting did not list
//! the capabilities; with `--starttls`, `STARTTLS` (only when the server
//! lists it: otherwise the fetch fails rather than send the password in
//! the clear), the certificate checked against the webpki roots and `--ca
//! FILE`, or not at all with `--insecure`, then `CAPABILITY` again; `LOGIN`,
//! or `AUTHENTICATE PLAIN` when the server lists `AUTH=PLAIN` and either
//! `SASL-IR` (the credentials go on the command line, one round trip) or
//! `LOGINDISABLED` (`--auth` chooses); `EXAMINE` of the mailbox (read-only:
//! nothing on the server changes, and `BODY.PEEK[]` leaves `\Seen` alone);
//! `UID FETCH n:* (UID RFC822.SIZE)` for the messages not fetched yet;
//! `UID FETCH set (UID BODY.PEEK[])` for them in batches; `LOGOUT`.
//!
//! Each message is written to `DIR/<UIDVALIDITY>-<UID>.eml`, byte for byte
//! as the server sent it, through a temporary file that is synced and
//! renamed into place, so a file that exists is complete. The fetch is
//! resumable by UID (RFC 9051 §2.3.1.1): `DIR/.imap-fetch-state` records
//! the mailbox, its UIDVALIDITY and the highest UID up to which every
//! message is on disk; the next run asks only for newer UIDs. When the
//! mailbox's UIDVALIDITY changed, the old UIDs mean nothing any more and
//! the fetch starts over (the new files carry the new UIDVALIDITY in their
//! names, so nothing is overwritten). A message whose file exists is not
//! fetched again, so a run interrupted between a rename and the state's
//! update loses nothing.
//!
//! Prints a summary on stdout. Exit status: 0 on success, 1 on any error
//! (connection, TLS, login refused, the mailbox cannot be opened, a
//! message that could not be fetched or written), 2 on a usage error.

#[path = "../support/mod.rs"]
mod support;

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use mailwire::imap::encode::Encode;
use mailwire::imap::session::{Client, ClientConfig, ClientEvent, Received, Unsolicited};
use mailwire::imap::types::{
    CommandBody, Data, FetchAttribute, FetchItem, FetchItems, Mailbox, Response, Secret, Section,
    SeqItem, SeqNumber, SequenceSet, Status, StatusKind, Tag,
};
use mailwire::imap::{Limits, session::State};
use mailwire::sasl;

use support::args::Args;
use support::client::{Connection, Failure, fail, save};

const USAGE: &str =
    "usage: imap-fetch --server ADDR --user NAME --pass PASS --out DIR [--mailbox NAME]
                  [--starttls [--ca FILE | --insecure] [--tls-name NAME]]
                  [--auth auto|login|plain] [--batch N] [--timeout SECS] [--max-size OCTETS]
                  [--structure]

  --server ADDR      the IMAP server, HOST:PORT
  --user, --pass     the account
  --mailbox NAME     the mailbox to fetch (default INBOX)
  --out DIR          where messages go, as DIR/<UIDVALIDITY>-<UID>.eml (created if
                     missing); DIR/.imap-fetch-state records how far the fetch got
  --starttls         upgrade with STARTTLS before logging in (fails if not offered)
  --ca FILE          also trust the certificates of this PEM file
  --insecure         accept any certificate (test servers)
  --tls-name NAME    the name to check the certificate against (default: the host)
  --auth HOW         auto (default: AUTHENTICATE PLAIN when offered with SASL-IR or
                     LOGINDISABLED, LOGIN otherwise), login, or plain
  --batch N          messages per UID FETCH of bodies (default 50)
  --timeout SECS     bound on each network wait (default 60)
  --max-size OCTETS  refuse larger messages (default 64 MiB)
  --structure        also fetch the ENVELOPE and BODYSTRUCTURE of every message of the
                     mailbox and check that they decode (a test of the server and the
                     decoder; an error for each that does not)";

/// The state file, in the output directory.
const STATE_FILE: &str = ".imap-fetch-state";

/// What the server said about one command.
enum Reply {
    /// Untagged data for it.
    Data(Received),
    /// Its tagged status.
    Done(Status<'static>),
}

/// A connection and its session.
struct Conn {
    io: Connection,
    client: Client,
}

impl Conn {
    async fn flush(&mut self) -> Result<(), Failure> {
        while let Some(bytes) = self.client.poll_transmit() {
            self.io.send(&bytes).await?;
        }
        Ok(())
    }

    /// The next event of the session, reading from the server as needed.
    async fn next(&mut self) -> Result<ClientEvent, Failure> {
        loop {
            self.flush().await?;
            if let Some(event) = self.client.poll_event() {
                return match event {
                    ClientEvent::Error(e) => fail(format!("session: {e}")),
                    ClientEvent::Unsolicited(Unsolicited::Bye(status)) => {
                        fail(format!("the server closed: {}", status_line(&status)))
                    }
                    event => Ok(event),
                };
            }
            let bytes = self.io.receive().await?;
            self.client.handle_input(bytes);
        }
    }

    /// The next response for the command tagged `tag`; what is not for it
    /// (mailbox updates, capabilities, warnings) is passed over.
    async fn reply(&mut self, tag: &Tag<'static>) -> Result<Reply, Failure> {
        loop {
            match self.next().await? {
                ClientEvent::Data {
                    tag: t, response, ..
                } if t == *tag => {
                    return Ok(Reply::Data(response));
                }
                ClientEvent::Completed { tag: t, status, .. } if t == *tag => {
                    return Ok(Reply::Done(status));
                }
                ClientEvent::Dropped { tag: t, reason, .. } if t == *tag => {
                    return fail(format!("command not sent: {reason}"));
                }
                _ => {}
            }
        }
    }

    /// Sends `body` and waits for its tagged status, passing over its data.
    async fn command(&mut self, body: CommandBody<'_>) -> Result<Status<'static>, Failure> {
        let tag = self.client.send(body)?;
        self.done(&tag).await
    }

    /// Waits for the tagged status of `tag`, passing over its data.
    async fn done(&mut self, tag: &Tag<'static>) -> Result<Status<'static>, Failure> {
        loop {
            if let Reply::Done(status) = self.reply(tag).await? {
                return Ok(status);
            }
        }
    }

    /// `CAPABILITY`, unless the capabilities are known.
    async fn capabilities(&mut self) -> Result<(), Failure> {
        if self.client.capabilities().is_some() {
            return Ok(());
        }
        let status = self.command(CommandBody::Capability).await?;
        if status.kind() != StatusKind::Ok {
            return fail(format!("CAPABILITY: {}", status_line(&status)));
        }
        Ok(())
    }

    /// `STARTTLS`, the TLS handshake, and `CAPABILITY` again.
    async fn starttls(
        &mut self,
        config: Arc<rustls::ClientConfig>,
        name: rustls::pki_types::ServerName<'static>,
    ) -> Result<(), Failure> {
        if !self.client.has_capability("STARTTLS") {
            return fail("the server does not offer STARTTLS (not in its capabilities)");
        }
        let status = self.command(CommandBody::StartTls).await?;
        if status.kind() != StatusKind::Ok {
            return fail(format!("STARTTLS refused: {}", status_line(&status)));
        }
        loop {
            match self.next().await? {
                ClientEvent::StartTls { leftover } if leftover.is_empty() => break,
                ClientEvent::StartTls { leftover } => {
                    // Bytes before the handshake cannot be trusted; the
                    // server is broken or someone is in the middle.
                    return fail(format!(
                        "the server sent {} octets after its OK to STARTTLS, before TLS",
                        leftover.len()
                    ));
                }
                ClientEvent::Unsolicited(_) => {}
                other => return fail(format!("unexpected {other:?} after STARTTLS")),
            }
        }
        self.io.upgrade((config, name), "STARTTLS").await?;
        self.client.tls_established();
        // The capabilities are forgotten with STARTTLS (RFC 9051 §6.2.1).
        self.capabilities().await
    }
}

/// A status as the server sent it, without the line end.
fn status_line(status: &Status<'_>) -> String {
    String::from_utf8_lossy(&status.to_bytes())
        .trim_end()
        .to_owned()
}

/// How to log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    Auto,
    Login,
    Plain,
}

struct Options {
    server: String,
    user: String,
    pass: String,
    mailbox: String,
    out: PathBuf,
    tls: Option<(
        Arc<rustls::ClientConfig>,
        rustls::pki_types::ServerName<'static>,
    )>,
    auth: Auth,
    batch: usize,
    structure: bool,
    wait: Duration,
    max_size: u64,
}

/// Counts for the summary.
#[derive(Debug, Default)]
struct Summary {
    exists: u32,
    uid_validity: u32,
    restarted: Option<u32>,
    new: usize,
    fetched: usize,
    octets: u64,
    skipped: usize,
    vanished: usize,
    structures: Option<usize>,
    errors: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse(
        USAGE,
        &[
            "server", "user", "pass", "mailbox", "out", "ca", "tls-name", "auth", "batch",
            "timeout", "max-size",
        ],
        &["starttls", "insecure", "structure"],
    );
    let starttls = support::client::starttls_flag(&args);
    let auth = match args.get("auth").unwrap_or("auto") {
        "auto" => Auth::Auto,
        "login" => Auth::Login,
        "plain" => Auth::Plain,
        other => args.fail(&format!("--auth: {other:?} is not auto, login or plain")),
    };
    let server = args.required("server").to_owned();
    let tls = match support::client::tls_target(&args, starttls, &server) {
        Ok(tls) => tls,
        Err(code) => return code,
    };
    let wait = support::client::wait_flag(&args);
    let batch = args.parsed::<usize>("batch", 50);
    if batch == 0 {
        args.fail("--batch must be at least 1");
    }
    let mailbox = args.get("mailbox").unwrap_or("INBOX").to_owned();
    if mailbox.is_empty() || mailbox.contains(['\r', '\n', '\0']) {
        args.fail("--mailbox: not a mailbox name");
    }
    let options = Options {
        user: args.required("user").to_owned(),
        pass: args.required("pass").to_owned(),
        out: PathBuf::from(args.required("out")),
        mailbox,
        tls,
        auth,
        batch,
        structure: args.flag("structure"),
        wait,
        max_size: args.parsed("max-size", Limits::default().literal_size),
        server,
    };
    let mut summary = Summary::default();
    let result = match support::client::block_on(fetch(&options, &mut summary)) {
        Ok(result) => result,
        Err(code) => return code,
    };
    if let Err(Failure(e)) = result {
        summary.errors.push(e);
    }
    if let Some(old) = summary.restarted {
        println!(
            "UIDVALIDITY changed from {old} to {}: fetching from the start",
            summary.uid_validity
        );
    }
    println!(
        "{} {}: {} messages (UIDVALIDITY {}), {} new, {} fetched ({} octets), {} already on disk, {} vanished",
        options.server,
        options.mailbox,
        summary.exists,
        summary.uid_validity,
        summary.new,
        summary.fetched,
        summary.octets,
        summary.skipped,
        summary.vanished,
    );
    if let Some(n) = summary.structures {
        println!("ENVELOPE and BODYSTRUCTURE of {n} messages decoded");
    }
    support::client::finish(&summary.errors)
}

async fn fetch(options: &Options, summary: &mut Summary) -> Result<(), Failure> {
    std::fs::create_dir_all(&options.out)
        .map_err(|e| Failure(format!("{}: {e}", options.out.display())))?;
    let state_path = options.out.join(STATE_FILE);
    let saved = read_state(&state_path)?;
    if let Some(saved) = &saved
        && saved.mailbox != options.mailbox
    {
        return fail(format!(
            "{} holds the mailbox {:?}, not {:?}: use another --out",
            options.out.display(),
            saved.mailbox,
            options.mailbox
        ));
    }

    let io = Connection::connect(&options.server, options.wait).await?;
    let mut config = ClientConfig::default();
    config.limits.literal_size = options.max_size;
    config.limits.message_size = config.limits.message_size.max(options.max_size);
    let mut conn = Conn {
        io,
        client: Client::new(config),
    };

    match conn.next().await? {
        ClientEvent::Greeting(g) if conn.client.state() != State::Logout => {
            if conn.client.state() == State::Authenticated && options.tls.is_some() {
                return fail("the server greeted with PREAUTH: STARTTLS is not possible");
            }
            let _ = g;
        }
        ClientEvent::Greeting(g) => {
            return fail(format!(
                "greeting: {}",
                String::from_utf8_lossy(&g.to_bytes()).trim_end()
            ));
        }
        other => return fail(format!("unexpected {other:?} instead of the greeting")),
    }
    conn.capabilities().await?;
    if let Some((config, name)) = &options.tls {
        conn.starttls(config.clone(), name.clone()).await?;
    }
    if conn.client.state() == State::NotAuthenticated {
        login(&mut conn, options).await?;
    }

    // The mailbox, read-only.
    let status = conn
        .command(CommandBody::Examine {
            mailbox: Mailbox::from_name(&options.mailbox),
            params: Vec::new(),
        })
        .await?;
    if status.kind() != StatusKind::Ok {
        return fail(format!(
            "EXAMINE {}: {}",
            options.mailbox,
            status_line(&status)
        ));
    }
    let Some(selected) = conn.client.selected() else {
        return fail("EXAMINE succeeded but no mailbox is selected");
    };
    let Some(uid_validity) = selected.uid_validity else {
        return fail("the server sent no UIDVALIDITY: a resumable fetch needs one");
    };
    summary.exists = selected.exists;
    summary.uid_validity = uid_validity;
    let mut done_through = match &saved {
        Some(s) if s.uid_validity == uid_validity => s.uid,
        Some(s) => {
            summary.restarted = Some(s.uid_validity);
            0
        }
        None => 0,
    };
    let mut state = SavedState {
        mailbox: options.mailbox.clone(),
        uid_validity,
        uid: done_through,
    };
    write_state(&state_path, &state)?;

    // The messages newer than the ones done: UIDs and sizes.
    let mut listing = Vec::new();
    if let Some(from) = done_through.checked_add(1).and_then(SeqNumber::new)
        && selected.exists > 0
    {
        listing = list_new(&mut conn, from).await?;
    }
    summary.new = listing.len();

    // The bodies, in batches of UIDs in ascending order. `done_through`
    // moves up to the UID before the first message that failed.
    let mut blocked = false;
    let mut queue: Vec<(u32, u64)> = Vec::new();
    for (uid, size) in &listing {
        let path = options.out.join(file_name(uid_validity, *uid));
        if path.exists() {
            summary.skipped += 1;
        } else if *size > options.max_size {
            summary.errors.push(format!(
                "UID {uid}: {size} octets, more than --max-size {}",
                options.max_size
            ));
        } else {
            queue.push((*uid, *size));
        }
    }
    let mut outcomes: std::collections::HashMap<u32, Outcome> = std::collections::HashMap::new();
    for (uid, _) in &listing {
        if !queue.iter().any(|(u, _)| u == uid) {
            let on_disk = options.out.join(file_name(uid_validity, *uid)).exists();
            outcomes.insert(
                *uid,
                if on_disk {
                    Outcome::Done
                } else {
                    Outcome::Failed
                },
            );
        }
    }
    for batch in batches(&queue, options.batch, 16 * 1024 * 1024) {
        let results = fetch_batch(&mut conn, options, uid_validity, batch, summary).await?;
        outcomes.extend(results);
        // Everything up to the first failure is safely on disk.
        let before = done_through;
        for (uid, _) in &listing {
            if blocked || *uid <= done_through {
                continue;
            }
            match outcomes.get(uid) {
                Some(Outcome::Done) => done_through = *uid,
                Some(Outcome::Failed) => blocked = true,
                None => break,
            }
        }
        if done_through != before {
            state.uid = done_through;
            write_state(&state_path, &state)?;
        }
    }
    if !blocked {
        // Messages on disk from an earlier run after the last batch.
        for (uid, _) in &listing {
            match outcomes.get(uid) {
                Some(Outcome::Done) if *uid > done_through => done_through = *uid,
                Some(Outcome::Done) => {}
                _ => break,
            }
        }
        if done_through != state.uid {
            state.uid = done_through;
            write_state(&state_path, &state)?;
        }
    }

    if options.structure && summary.exists > 0 {
        summary.structures = Some(check_structure(&mut conn, summary).await?);
    }

    let status = conn.command(CommandBody::Logout).await?;
    if status.kind() != StatusKind::Ok {
        return fail(format!("LOGOUT: {}", status_line(&status)));
    }
    Ok(())
}

/// `LOGIN`, or `AUTHENTICATE PLAIN`: see the module documentation.
async fn login(conn: &mut Conn, options: &Options) -> Result<(), Failure> {
    let client = &conn.client;
    let plain_offered = client.has_capability("AUTH=PLAIN");
    let login_disabled = client.has_capability("LOGINDISABLED");
    let use_plain = match options.auth {
        Auth::Auto => plain_offered && (client.has_capability("SASL-IR") || login_disabled),
        Auth::Plain => true,
        Auth::Login => false,
    };
    if !use_plain && login_disabled {
        return fail(if plain_offered {
            "the server disabled LOGIN (LOGINDISABLED): use --auth plain"
        } else {
            "the server disabled LOGIN (LOGINDISABLED) and offers no AUTH=PLAIN; try --starttls"
        });
    }
    let status = if use_plain {
        let mechanism = sasl::ClientMechanism::plain(options.user.as_str(), options.pass.as_str());
        let tag = conn.client.authenticate(sasl::Client::new(mechanism)?)?;
        conn.done(&tag).await?
    } else {
        conn.command(CommandBody::Login {
            username: options.user.as_bytes().into(),
            password: Secret::new(options.pass.as_bytes().into()),
        })
        .await?
    };
    if status.kind() != StatusKind::Ok {
        return fail(format!("login refused: {}", status_line(&status)));
    }
    Ok(())
}

/// `UID FETCH from:* (UID RFC822.SIZE)`: the UIDs from `from` on and their
/// sizes, in ascending order. The set `from:*` holds the last message even
/// when its UID is below `from` (RFC 9051 §6.4.8), so that one is left out.
async fn list_new(conn: &mut Conn, from: SeqNumber) -> Result<Vec<(u32, u64)>, Failure> {
    let SeqNumber::Value(low) = from else {
        return Ok(Vec::new());
    };
    let tag = conn.client.send(CommandBody::Fetch {
        uid: true,
        set: SequenceSet::new(SeqItem::Range(from, SeqNumber::Largest)),
        items: FetchItems::List(vec![FetchAttribute::Uid, FetchAttribute::Rfc822Size]),
        modifiers: Vec::new(),
    })?;
    let mut listing = Vec::new();
    loop {
        match conn.reply(&tag).await? {
            Reply::Data(received) => {
                let Response::Data(Data::Fetch { items, .. }) = received.decode()? else {
                    continue;
                };
                let uid = items.iter().find_map(|i| match i {
                    FetchItem::Uid(u) => Some(*u),
                    _ => None,
                });
                let size = items.iter().find_map(|i| match i {
                    FetchItem::Rfc822Size(s) => Some(*s),
                    _ => None,
                });
                match (uid, size) {
                    (Some(uid), Some(size)) if uid >= low.get() => listing.push((uid, size)),
                    (Some(_), Some(_)) => {}
                    _ => {
                        return fail(format!(
                            "a FETCH response without UID or RFC822.SIZE: {}",
                            String::from_utf8_lossy(received.as_bytes()).trim_end()
                        ));
                    }
                }
            }
            Reply::Done(status) if status.kind() == StatusKind::Ok => break,
            Reply::Done(status) => {
                return fail(format!("UID FETCH (listing): {}", status_line(&status)));
            }
        }
    }
    listing.sort_unstable();
    listing.dedup_by_key(|(uid, _)| *uid);
    Ok(listing)
}

/// `UID FETCH 1:* (UID ENVELOPE BODYSTRUCTURE)`: counts the messages
/// whose envelope and structure both decode to typed values. An item the
/// decoder kept as sent ([`FetchItem::Other`]) is an error.
async fn check_structure(conn: &mut Conn, summary: &mut Summary) -> Result<usize, Failure> {
    let tag = conn.client.send(CommandBody::Fetch {
        uid: true,
        set: "1:*".parse::<SequenceSet>()?,
        items: FetchItems::List(vec![
            FetchAttribute::Uid,
            FetchAttribute::Envelope,
            FetchAttribute::BodyStructure,
        ]),
        modifiers: Vec::new(),
    })?;
    let mut decoded = 0;
    loop {
        let received = match conn.reply(&tag).await? {
            Reply::Data(received) => received,
            Reply::Done(status) if status.kind() == StatusKind::Ok => return Ok(decoded),
            Reply::Done(status) => {
                return fail(format!("UID FETCH (structure): {}", status_line(&status)));
            }
        };
        let Response::Data(Data::Fetch { seq, items }) = received.decode()? else {
            continue;
        };
        let envelope = items.iter().any(|i| matches!(i, FetchItem::Envelope(_)));
        let body = items
            .iter()
            .any(|i| matches!(i, FetchItem::BodyStructure(_)));
        if envelope && body {
            decoded += 1;
            continue;
        }
        let kept: Vec<String> = items
            .iter()
            .filter_map(|i| match i {
                FetchItem::Other(o) => Some(o.name().to_owned()),
                _ => None,
            })
            .collect();
        summary.errors.push(format!(
            "message {seq}: ENVELOPE {}, BODYSTRUCTURE {} (kept as sent: {kept:?})",
            if envelope { "decoded" } else { "not decoded" },
            if body { "decoded" } else { "not decoded" },
        ));
    }
}

/// What became of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// On disk, or gone from the server (nothing left to fetch).
    Done,
    /// Not fetched or not written: fetch it again next time.
    Failed,
}

/// Splits `queue` into batches of at most `count` messages and, unless a
/// single message is larger, `octets` octets.
fn batches(queue: &[(u32, u64)], count: usize, octets: u64) -> Vec<&[(u32, u64)]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut size = 0u64;
    for (i, (_, s)) in queue.iter().enumerate() {
        let full = i - start >= count || (i > start && size.saturating_add(*s) > octets);
        if full {
            out.extend(queue.get(start..i));
            start = i;
            size = 0;
        }
        size = size.saturating_add(*s);
    }
    if start < queue.len() {
        out.extend(queue.get(start..));
    }
    out
}

/// The sequence set of `uids` (ascending), runs written as ranges.
fn uid_set(uids: impl IntoIterator<Item = u32>) -> Option<SequenceSet> {
    let mut items: Vec<SeqItem> = Vec::new();
    let mut run: Option<(u32, u32)> = None;
    let push = |items: &mut Vec<SeqItem>, (lo, hi): (u32, u32)| {
        if let (Some(lo), Some(hi)) = (SeqNumber::new(lo), SeqNumber::new(hi)) {
            items.push(if lo == hi {
                SeqItem::Single(lo)
            } else {
                SeqItem::Range(lo, hi)
            });
        }
    };
    for uid in uids {
        run = match run {
            Some((lo, hi)) if hi.checked_add(1) == Some(uid) => Some((lo, uid)),
            Some(r) => {
                push(&mut items, r);
                Some((uid, uid))
            }
            None => Some((uid, uid)),
        };
    }
    if let Some(r) = run {
        push(&mut items, r);
    }
    SequenceSet::from_items(items).ok()
}

/// `UID FETCH set (UID BODY.PEEK[])` for `batch`, each message written
/// to disk as it arrives. The outer error stops the session; the outcome
/// of each message of the batch is given.
async fn fetch_batch(
    conn: &mut Conn,
    options: &Options,
    uid_validity: u32,
    batch: &[(u32, u64)],
    summary: &mut Summary,
) -> Result<Vec<(u32, Outcome)>, Failure> {
    let Some(set) = uid_set(batch.iter().map(|(uid, _)| *uid)) else {
        return Ok(Vec::new());
    };
    let wanted: HashSet<u32> = batch.iter().map(|(uid, _)| *uid).collect();
    let tag = conn.client.send(CommandBody::Fetch {
        uid: true,
        set,
        items: FetchItems::List(vec![
            FetchAttribute::Uid,
            FetchAttribute::BodySection {
                section: Section::default(),
                peek: true,
                partial: None,
            },
        ]),
        modifiers: Vec::new(),
    })?;
    let mut outcomes = Vec::new();
    let status = loop {
        let received = match conn.reply(&tag).await? {
            Reply::Data(received) => received,
            Reply::Done(status) => break status,
        };
        let Response::Data(Data::Fetch { items, .. }) = received.decode()? else {
            continue;
        };
        let uid = items.iter().find_map(|i| match i {
            FetchItem::Uid(u) => Some(*u),
            _ => None,
        });
        let body = items.iter().find_map(|i| match i {
            FetchItem::BodySection {
                section,
                origin: None,
                data,
            } if section.part.is_empty() && section.text.is_none() => Some(data),
            _ => None,
        });
        let (Some(uid), Some(body)) = (uid, body) else {
            // Flags or other updates for messages of the batch.
            continue;
        };
        if !wanted.contains(&uid) || outcomes.iter().any(|(u, _)| *u == uid) {
            continue;
        }
        let Some(body) = body else {
            summary
                .errors
                .push(format!("UID {uid}: the server sent NIL for BODY[]"));
            outcomes.push((uid, Outcome::Failed));
            continue;
        };
        let path = options.out.join(file_name(uid_validity, uid));
        match save(&path, body) {
            Ok(()) => {
                summary.fetched += 1;
                summary.octets += body.len() as u64;
                outcomes.push((uid, Outcome::Done));
            }
            Err(e) => {
                summary
                    .errors
                    .push(format!("UID {uid}: {}: {e}", path.display()));
                outcomes.push((uid, Outcome::Failed));
            }
        }
    };
    // A message of the batch that did not come: expunged since the listing
    // when the server says OK; not fetched otherwise (Dovecot answers NO
    // when it could not read a message).
    let ok = status.kind() == StatusKind::Ok;
    if !ok {
        summary.errors.push(format!(
            "UID FETCH {}: {}",
            batch.len(),
            status_line(&status)
        ));
    }
    for (uid, _) in batch {
        if !outcomes.iter().any(|(u, _)| u == uid) {
            if ok {
                summary.vanished += 1;
            }
            outcomes.push((*uid, if ok { Outcome::Done } else { Outcome::Failed }));
        }
    }
    Ok(outcomes)
}

/// The file name of a message.
fn file_name(uid_validity: u32, uid: u32) -> String {
    format!("{uid_validity}-{uid}.eml")
}

/// What the state file records.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SavedState {
    mailbox: String,
    uid_validity: u32,
    /// Every message up to this UID is on disk (or gone).
    uid: u32,
}

impl SavedState {
    fn to_text(&self) -> String {
        format!(
            "mailbox {}\nuidvalidity {}\nuid {}\n",
            self.mailbox, self.uid_validity, self.uid
        )
    }

    fn from_text(text: &str) -> Option<Self> {
        let mut mailbox = None;
        let mut uid_validity = None;
        let mut uid = None;
        for line in text.lines() {
            match line.split_once(' ')? {
                ("mailbox", m) => mailbox = Some(m.to_owned()),
                ("uidvalidity", v) => uid_validity = Some(v.parse().ok()?),
                ("uid", u) => uid = Some(u.parse().ok()?),
                _ => return None,
            }
        }
        Some(Self {
            mailbox: mailbox?,
            uid_validity: uid_validity?,
            uid: uid?,
        })
    }
}

fn read_state(path: &Path) -> Result<Option<SavedState>, Failure> {
    match std::fs::read_to_string(path) {
        Ok(text) => match SavedState::from_text(&text) {
            Some(state) => Ok(Some(state)),
            None => fail(format!("{}: not a state file", path.display())),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => fail(format!("{}: {e}", path.display())),
    }
}

fn write_state(path: &Path, state: &SavedState) -> Result<(), Failure> {
    save(path, state.to_text().as_bytes()).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_write_runs_as_ranges() {
        let set = uid_set([1, 2, 3, 5, 7, 8]).unwrap();
        assert_eq!(set.to_bytes(), b"1:3,5,7:8");
        assert_eq!(uid_set([4294967295]).unwrap().to_bytes(), b"4294967295");
        assert!(uid_set([]).is_none());
    }

    #[test]
    fn batches_are_bounded_by_count_and_size() {
        let queue: Vec<(u32, u64)> = (1..=7).map(|u| (u, 10)).collect();
        let sizes: Vec<usize> = batches(&queue, 3, 1000).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [3, 3, 1]);
        let sizes: Vec<usize> = batches(&queue, 10, 25).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [2, 2, 2, 1]);
        // A message larger than the size bound goes alone.
        let queue = [(1, 5), (2, 100), (3, 5)];
        let sizes: Vec<usize> = batches(&queue, 10, 20).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [1, 1, 1]);
        assert!(batches(&[], 3, 10).is_empty());
    }

    #[test]
    fn state_round_trips() {
        let state = SavedState {
            mailbox: "Archive 2024".into(),
            uid_validity: 1700000000,
            uid: 42,
        };
        assert_eq!(SavedState::from_text(&state.to_text()), Some(state));
        assert_eq!(SavedState::from_text("uid x\n"), None);
        assert_eq!(SavedState::from_text("uid 1\n"), None);
    }
}
