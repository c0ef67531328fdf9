//! Forwarding to the next hop (a smarthost): the queue's entries sent
//! with `mailwire_smtp::session::Client`, per-recipient outcomes
//! recorded, temporary failures retried with backoff, permanent ones
//! (and expired ones) reported to the sender with a DSN.
//!
//! One attempt is one SMTP session: greeting, `EHLO`, `STARTTLS` and
//! `EHLO` again when `--relay-starttls` is given (then nothing goes out
//! in plaintext), `AUTH` with `--relay-auth`, then `MAIL`, the `RCPT`s
//! still pending and `DATA`, pipelined when the next hop offers
//! `PIPELINING` (the session waits for each reply otherwise). `MAIL`
//! carries `SIZE=` when offered (a message over the next hop's limit
//! fails with 5.3.4), `BODY=8BITMIME` for 8-bit content (a next hop
//! without `8BITMIME` fails it with 5.6.3: no conversion is attempted),
//! `SMTPUTF8` when an address or the header is UTF-8 (5.6.7 when the next
//! hop cannot take it), and the DSN parameters (`RET`, `ENVID`, `NOTIFY`,
//! `ORCPT`) when the next hop offers `DSN`; otherwise this server sends
//! the "relayed" notice that `NOTIFY=SUCCESS` asks for (RFC 3461 §4.1).

use std::sync::Arc;
use std::time::Duration;

use mailwire::sasl;
use mailwire::smtp::encode::{DataOptions, LongLines};
use mailwire::smtp::session::{Client, ClientConfig, ClientEvent};
use mailwire::smtp::types::{
    Body, Command, ForwardPath, Host, MailParams, Notify, RcptParams, Reply, ReversePath,
};

use crate::dsn;
use crate::queue::{Entry, Queue, State, now};
use crate::support::client::{Connection, Failure, TlsTarget};
use crate::support::received;
use crate::support::shutdown::Shutdown;
use crate::support::smtp_client::{password_mechanism, show};
use crate::users::Directory;

/// How to reach the next hop, and the retry schedule.
pub(crate) struct Relay {
    /// `HOST:PORT`.
    pub(crate) server: String,
    pub(crate) auth: Option<(String, String)>,
    /// `--relay-starttls`: the TLS configuration and the name to check.
    pub(crate) tls: Option<TlsTarget>,
    /// This server's name: `EHLO`, `Reporting-MTA`.
    pub(crate) hostname: String,
    /// The bound on each network wait.
    pub(crate) wait: Duration,
    /// The first retry delay, doubled after each attempt up to 64 times
    /// it.
    pub(crate) retry: Duration,
    /// How long a message may stay queued before it is returned.
    pub(crate) lifetime: Duration,
}

/// What became of one recipient in one attempt.
#[derive(Debug, Clone)]
enum Outcome {
    /// The next hop took the message for it; with whether the DSN
    /// parameters went along.
    Accepted { dsn: bool },
    /// Try again later.
    Temporary { status: String, why: String },
    /// Give up.
    Permanent { status: String, why: String },
}

impl Outcome {
    /// The outcome a reply gives (`2xx`, `4xx`, `5xx`).
    fn of(reply: &Reply<'_>, dsn: bool) -> Outcome {
        let code = reply.code().get();
        let status = reply.enhanced().map(|e| e.to_string());
        let why = show(reply);
        match code / 100 {
            2 => Outcome::Accepted { dsn },
            5 => Outcome::Permanent {
                status: status.unwrap_or_else(|| "5.0.0".into()),
                why,
            },
            _ => Outcome::Temporary {
                status: status.unwrap_or_else(|| "4.0.0".into()),
                why,
            },
        }
    }

    fn temporary(why: impl Into<String>) -> Outcome {
        Outcome::Temporary {
            status: "4.4.1".into(),
            why: why.into(),
        }
    }

    fn permanent(status: &str, why: impl Into<String>) -> Outcome {
        Outcome::Permanent {
            status: status.into(),
            why: why.into(),
        }
    }
}

/// Runs the queue until the server stops: each entry that is due is
/// attempted; between rounds the worker sleeps until the next entry is
/// due or a new one arrives.
pub(crate) async fn run(
    queue: Arc<Queue>,
    relay: Arc<Relay>,
    directory: Arc<Directory>,
    mut shutdown: Shutdown,
) {
    tracing::info!(next_hop = %relay.server, "relay: queue runner started");
    loop {
        let listed = {
            let queue = Arc::clone(&queue);
            tokio::task::spawn_blocking(move || queue.entries()).await
        };
        let entries = match listed {
            Ok(Ok(entries)) => entries,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "relay: cannot read the queue");
                Vec::new()
            }
            Err(e) => {
                tracing::error!(error = %e, "relay: queue task failed");
                Vec::new()
            }
        };
        let mut next_due: Option<u64> = None;
        for mut entry in entries {
            if shutdown.is_set() {
                return;
            }
            if entry.next > now() && !entry.is_done() && !owes_notice(&entry) {
                next_due = Some(next_due.map_or(entry.next, |n| n.min(entry.next)));
                continue;
            }
            process(&queue, &relay, &directory, &mut entry).await;
            if !entry.is_done() {
                next_due = Some(next_due.map_or(entry.next, |n| n.min(entry.next)));
            }
        }
        let sleep = next_due.map_or(Duration::from_secs(3600), |due| {
            Duration::from_secs(due.saturating_sub(now())).max(Duration::from_millis(200))
        });
        tokio::select! {
            () = tokio::time::sleep(sleep) => {}
            () = queue.added() => {}
            () = shutdown.wait() => return,
        }
    }
}

fn owes_notice(entry: &Entry) -> bool {
    entry
        .recipients
        .iter()
        .any(|r| matches!(r.state, State::Failed | State::Relayed))
}

/// One attempt at an entry, then its notices, each step saved.
async fn process(queue: &Arc<Queue>, relay: &Relay, directory: &Arc<Directory>, entry: &mut Entry) {
    let pending: Vec<usize> = entry
        .recipients
        .iter()
        .enumerate()
        .filter(|(_, r)| r.state == State::Pending)
        .map(|(i, _)| i)
        .collect();
    if !pending.is_empty() {
        let message = match blocking(queue, {
            let id = entry.id.clone();
            move |q| q.message(&id)
        })
        .await
        {
            Some(m) => m,
            None => return,
        };
        entry.attempts = entry.attempts.saturating_add(1);
        let (outcomes, remote) = match attempt(relay, entry, &pending, &message).await {
            Ok(done) => done,
            Err((outcome, remote)) => (vec![outcome; pending.len()], remote),
        };
        let expired = now().saturating_sub(entry.arrival) >= relay.lifetime.as_secs();
        for (&i, outcome) in pending.iter().zip(outcomes) {
            let Some(r) = entry.recipients.get_mut(i) else {
                continue;
            };
            r.remote = remote.clone();
            match outcome {
                Outcome::Accepted { dsn } => {
                    let success = matches!(&r.params.notify, Some(Notify::On(on)) if on.success());
                    r.state = if success && !dsn {
                        State::Relayed
                    } else {
                        State::Done
                    };
                    r.status = Some("2.0.0".into());
                    r.reply = None;
                    tracing::info!(queue_id = %entry.id, to = %r.to, next_hop = %relay.server, "relay: accepted by the next hop");
                }
                Outcome::Temporary { status, why } => {
                    r.reply = Some(why);
                    if expired {
                        // RFC 3463: 5.4.7, delivery time expired; the
                        // last reply stays as the diagnostic.
                        tracing::info!(queue_id = %entry.id, to = %r.to, reply = ?r.reply, "relay: expired");
                        r.state = State::Failed;
                        r.status = Some("5.4.7".into());
                    } else {
                        tracing::info!(queue_id = %entry.id, to = %r.to, reply = ?r.reply, "relay: deferred");
                        r.status = Some(status);
                    }
                }
                Outcome::Permanent { status, why } => {
                    tracing::info!(queue_id = %entry.id, to = %r.to, reply = %why, "relay: failed");
                    r.state = State::Failed;
                    r.status = Some(status);
                    r.reply = Some(why);
                }
            }
        }
        let shift = entry.attempts.saturating_sub(1).min(6);
        let delay = relay.retry.as_secs().max(1) << shift;
        entry.next = now().saturating_add(delay);
        if !save(queue, entry).await {
            return;
        }
    }
    if owes_notice(entry) {
        notify(queue, relay, directory, entry).await;
        for r in &mut entry.recipients {
            if matches!(r.state, State::Failed | State::Relayed) {
                r.state = State::Done;
            }
        }
        if !save(queue, entry).await {
            return;
        }
    }
    if entry.is_done() {
        let id = entry.id.clone();
        if blocking(queue, move |q| q.remove(&id)).await.is_some() {
            tracing::info!(queue_id = %entry.id, "relay: finished, removed from the queue");
        }
    }
}

/// Runs a queue operation off the runtime; an error is logged.
async fn blocking<T: Send + 'static>(
    queue: &Arc<Queue>,
    work: impl FnOnce(&Queue) -> std::io::Result<T> + Send + 'static,
) -> Option<T> {
    let queue = Arc::clone(queue);
    match tokio::task::spawn_blocking(move || work(&queue)).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "relay: queue operation failed");
            None
        }
        Err(e) => {
            tracing::error!(error = %e, "relay: queue task failed");
            None
        }
    }
}

async fn save(queue: &Arc<Queue>, entry: &Entry) -> bool {
    let copy = entry.clone();
    blocking(queue, move |q| q.save(&copy)).await.is_some()
}

/// Sends the notice the failed and relayed recipients owe the sender,
/// unless the sender is `<>` or asked for none (`NOTIFY=NEVER`, or a
/// list without the condition).
async fn notify(queue: &Arc<Queue>, relay: &Relay, directory: &Arc<Directory>, entry: &Entry) {
    let ReversePath::Mailbox(sender) = &entry.from else {
        tracing::info!(queue_id = %entry.id, "relay: no notice for a message from <>");
        return;
    };
    let wanted = |r: &crate::queue::Recipient| match (&r.params.notify, r.state) {
        (Some(Notify::Never), _) => false,
        (Some(Notify::On(on)), State::Failed) => on.failure(),
        (Some(Notify::On(on)), State::Relayed) => on.success(),
        (None, State::Failed) => true,
        _ => false,
    };
    let recipients: Vec<dsn::Recipient<'_>> = entry
        .recipients
        .iter()
        .filter(|r| wanted(r))
        .map(|r| dsn::Recipient {
            to: &r.to,
            orcpt: r.params.orcpt.as_ref(),
            action: if r.state == State::Failed {
                dsn::Action::Failed
            } else {
                dsn::Action::Relayed
            },
            status: r.status.clone().unwrap_or_else(|| "5.0.0".into()),
            remote_mta: r.remote.as_deref(),
            diagnostic: r.reply.clone(),
        })
        .collect();
    if recipients.is_empty() {
        return;
    }
    let message = match blocking(queue, {
        let id = entry.id.clone();
        move |q| q.message(&id)
    })
    .await
    {
        Some(m) => m,
        None => return,
    };
    let arrival = std::time::UNIX_EPOCH + Duration::from_secs(entry.arrival);
    let report = dsn::Report {
        reporting_mta: &relay.hostname,
        to: sender,
        envid: entry.params.envid.as_ref(),
        arrival: received::date(arrival),
        recipients,
        message: &message,
        full: matches!(entry.params.ret, Some(mailwire::smtp::types::Ret::Full)),
    };
    let notice = match report.build() {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(queue_id = %entry.id, error = %e, "relay: cannot build the notice");
            return;
        }
    };
    let directory = Arc::clone(directory);
    let sender = sender.clone();
    let about = entry.id.clone();
    match tokio::task::spawn_blocking(move || directory.send_notice(&sender, &notice, &about)).await
    {
        Ok(Ok(id)) => tracing::info!(queue_id = %entry.id, notice = %id, "relay: notice sent"),
        Ok(Err(e)) => tracing::error!(queue_id = %entry.id, error = %e, "relay: notice not sent"),
        Err(e) => tracing::error!(queue_id = %entry.id, error = %e, "relay: notice task failed"),
    }
}

/// The next event of the session, reading from the next hop as needed;
/// queued bytes are written first.
async fn next_event(conn: &mut Connection, client: &mut Client) -> Result<ClientEvent, Failure> {
    loop {
        while let Some(bytes) = client.poll_transmit() {
            conn.send(&bytes).await?;
        }
        if let Some(event) = client.poll_event() {
            return Ok(event);
        }
        let bytes = conn.receive().await?;
        client.handle_input(bytes);
    }
}

/// Waits for the reply to `verb`: positive, or the outcome for every
/// recipient.
async fn expect(
    conn: &mut Connection,
    client: &mut Client,
    verb: &str,
) -> Result<Reply<'static>, Outcome> {
    loop {
        match next_event(conn, client)
            .await
            .map_err(|e| Outcome::temporary(e.0))?
        {
            ClientEvent::Greeting(reply) if verb == "greeting" => return positive(verb, reply),
            ClientEvent::Reply { command, reply } if command.verb() == verb => {
                return positive(verb, reply);
            }
            ClientEvent::Error(e) => return Err(Outcome::temporary(e.to_string())),
            ClientEvent::Unsolicited(reply) => return Err(Outcome::temporary(show(&reply))),
            _ => {}
        }
    }
}

/// A positive reply, or a temporary failure: whatever stops the session
/// before `MAIL` is this server's or the next hop's problem, not the
/// message's.
fn positive(what: &str, reply: Reply<'static>) -> Result<Reply<'static>, Outcome> {
    match reply.code().get() / 100 {
        2 | 3 => Ok(reply),
        _ => Err(Outcome::temporary(format!("{what}: {}", show(&reply)))),
    }
}

/// The message needs SMTPUTF8: a UTF-8 address, or UTF-8 in the header.
fn needs_utf8(entry: &Entry, pending: &[usize], message: &[u8]) -> bool {
    let header_end = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(message.len());
    matches!(&entry.from, ReversePath::Mailbox(m) if !m.is_ascii())
        || pending.iter().any(|&i| {
            entry
                .recipients
                .get(i)
                .is_some_and(|r| matches!(&r.to, ForwardPath::Mailbox(m) if !m.is_ascii()))
        })
        || message
            .get(..header_end)
            .unwrap_or_default()
            .iter()
            .any(|&b| b >= 0x80)
}

/// One SMTP session with the next hop for the `pending` recipients: the
/// outcome of each and the next hop's name, or one outcome for all.
async fn attempt(
    relay: &Relay,
    entry: &Entry,
    pending: &[usize],
    message: &[u8],
) -> Result<(Vec<Outcome>, Option<String>), (Outcome, Option<String>)> {
    let mut remote = None;
    match session(relay, entry, pending, message, &mut remote).await {
        Ok(outcomes) => Ok((outcomes, remote)),
        Err(outcome) => Err((outcome, remote)),
    }
}

async fn session(
    relay: &Relay,
    entry: &Entry,
    pending: &[usize],
    message: &[u8],
    remote: &mut Option<String>,
) -> Result<Vec<Outcome>, Outcome> {
    let hostname = Host::parse(&relay.hostname)
        .map(Host::into_owned)
        .map_err(|_| Outcome::temporary("the server's name is not a host name"))?;
    let mut config = ClientConfig::new(hostname);
    config.require_tls = relay.tls.is_some();
    let mut options = DataOptions::default();
    options.long_lines = LongLines::Refuse;
    config.data_options = options;
    let mut client = Client::new(config);
    let mut conn = Connection::connect(&relay.server, relay.wait)
        .await
        .map_err(|e| Outcome::temporary(e.0))?;
    expect(&mut conn, &mut client, "greeting").await?;
    client.hello().map_err(temporary)?;
    expect(&mut conn, &mut client, "EHLO").await?;
    if let Some(tls) = &relay.tls {
        client.send(Command::StartTls).map_err(temporary)?;
        loop {
            match next_event(&mut conn, &mut client)
                .await
                .map_err(|e| Outcome::temporary(e.0))?
            {
                ClientEvent::StartTls { .. } => break,
                ClientEvent::Error(e) => return Err(Outcome::temporary(e.to_string())),
                ClientEvent::Reply { reply, .. } if reply.code().get() != 220 => {
                    return Err(Outcome::temporary(format!("STARTTLS: {}", show(&reply))));
                }
                _ => {}
            }
        }
        conn.upgrade(tls.clone(), "STARTTLS")
            .await
            .map_err(|e| Outcome::temporary(e.0))?;
        client.tls_established();
        client.hello().map_err(temporary)?;
        expect(&mut conn, &mut client, "EHLO").await?;
    }
    let caps = client
        .capabilities()
        .cloned()
        .ok_or_else(|| Outcome::temporary("the next hop gave no EHLO capabilities"))?;
    *remote = Some(caps.greeting().to_owned()).filter(|g| !g.is_empty());
    if let Some((user, pass)) = &relay.auth {
        let mechanism = password_mechanism(&caps, user, pass).map_err(Outcome::temporary)?;
        let mechanism = sasl::Client::new(mechanism).map_err(temporary)?;
        client.authenticate(mechanism).map_err(temporary)?;
        expect(&mut conn, &mut client, "AUTH").await?;
    }

    // What the message needs from the next hop, and what it offers.
    let mut params = MailParams::default();
    if caps.contains("SIZE") {
        let size = message.len() as u64;
        if let Some(max) = caps.max_size().filter(|&m| m > 0 && size > m) {
            return Err(Outcome::permanent(
                "5.3.4",
                format!("message of {size} octets over the next hop's limit of {max}"),
            ));
        }
        params.size = Some(size);
    }
    if needs_utf8(entry, pending, message) {
        if !caps.contains("SMTPUTF8") {
            return Err(Outcome::permanent(
                "5.6.7",
                "the message needs SMTPUTF8 and the next hop does not offer it",
            ));
        }
        params.smtputf8 = true;
    }
    if message.iter().any(|&b| b >= 0x80) {
        if !caps.contains("8BITMIME") {
            return Err(Outcome::permanent(
                "5.6.3",
                "8-bit message and the next hop does not offer 8BITMIME",
            ));
        }
        params.body = Some(Body::EightBitMime);
    }
    let dsn = caps.contains("DSN");
    if dsn {
        params.ret = entry.params.ret;
        params.envid = entry.params.envid.clone();
    }

    client
        .send(Command::Mail {
            from: entry.from.clone(),
            params,
            source_route: false,
        })
        .map_err(temporary)?;
    let mut sent = Vec::with_capacity(pending.len());
    for &i in pending {
        let Some(r) = entry.recipients.get(i) else {
            continue;
        };
        let mut params = RcptParams::default();
        if dsn {
            params.notify = r.params.notify;
            params.orcpt = r.params.orcpt.clone();
        }
        client
            .send(Command::Rcpt {
                to: r.to.clone(),
                params,
                source_route: false,
            })
            .map_err(temporary)?;
        sent.push(r.to.clone());
    }
    client.send(Command::Data).map_err(temporary)?;
    client
        .send_data(message)
        .and_then(|()| client.end_data())
        .map_err(temporary)?;

    // Each pending recipient's outcome: from its RCPT reply, then from
    // the reply to the message.
    let mut outcomes: Vec<Option<Outcome>> = vec![None; sent.len()];
    let assign = |outcomes: &mut Vec<Option<Outcome>>, to: &ForwardPath<'_>, outcome: Outcome| {
        let slot = sent
            .iter()
            .zip(outcomes.iter_mut())
            .find(|(s, o)| *s == to && o.is_none());
        if let Some((_, o)) = slot {
            *o = Some(outcome);
        }
    };
    let mut accepted: Vec<ForwardPath<'static>> = Vec::new();
    loop {
        let event = match next_event(&mut conn, &mut client).await {
            Ok(event) => event,
            // Lost before the end: whatever has no outcome is retried.
            Err(e) => return Ok(fill(outcomes, &Outcome::temporary(e.0))),
        };
        match event {
            ClientEvent::Reply {
                command: Command::Mail { .. },
                reply,
            } if reply.code().get() / 100 != 2 => {
                let _ = client.send(Command::Quit);
                let _ = flush(&mut conn, &mut client).await;
                return Err(Outcome::of(&reply, dsn));
            }
            ClientEvent::RecipientResults {
                accepted: yes,
                rejected,
            } => {
                for (to, reply) in rejected {
                    assign(&mut outcomes, &to, Outcome::of(&reply, dsn));
                }
                accepted = yes;
            }
            ClientEvent::Reply {
                command: Command::Data,
                reply,
            } if reply.code().get() != 354 => {
                for to in &accepted {
                    assign(&mut outcomes, to, Outcome::of(&reply, dsn));
                }
                break;
            }
            ClientEvent::DataResult { recipients, .. } => {
                for (to, reply) in recipients {
                    assign(&mut outcomes, &to, Outcome::of(&reply, dsn));
                }
                break;
            }
            ClientEvent::Error(e) => {
                return Ok(fill(outcomes, &Outcome::temporary(e.to_string())));
            }
            ClientEvent::Unsolicited(reply) => {
                let outcome = match Outcome::of(&reply, dsn) {
                    Outcome::Accepted { .. } => Outcome::temporary(show(&reply)),
                    other => other,
                };
                return Ok(fill(outcomes, &outcome));
            }
            _ => {}
        }
    }
    // The recipients' results may come after the refusal of DATA.
    while let Some(event) = client.poll_event() {
        if let ClientEvent::RecipientResults { rejected, .. } = event {
            for (to, reply) in rejected {
                assign(&mut outcomes, &to, Outcome::of(&reply, dsn));
            }
        }
    }
    let _ = client.send(Command::Quit);
    let _ = flush(&mut conn, &mut client).await;
    Ok(fill(
        outcomes,
        &Outcome::temporary("no reply for this recipient"),
    ))
}

/// Each recipient's outcome, `rest` for those without one.
fn fill(outcomes: Vec<Option<Outcome>>, rest: &Outcome) -> Vec<Outcome> {
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| rest.clone()))
        .collect()
}

/// Whatever went wrong before the next hop answered for the message:
/// try again later.
fn temporary(e: impl std::fmt::Display) -> Outcome {
    Outcome::temporary(e.to_string())
}

/// Writes what the session has queued (the `QUIT`).
async fn flush(conn: &mut Connection, client: &mut Client) -> Result<(), Failure> {
    while let Some(bytes) = client.poll_transmit() {
        conn.send(&bytes).await?;
    }
    Ok(())
}
