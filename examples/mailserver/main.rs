//! A small complete mail server on loopback: SMTP in, POP3 and IMAP out,
//! one Maildir per user. Thin glue over `mailwire-smtp`, `mailwire-pop3`,
//! `mailwire-imap`, tokio and rustls; the connection handlers are the ones
//! `smtp-server`, `pop3-server` and `imap-server` use (`examples/support/`).
//!
//! ```sh
//! cargo run --release --example mailserver
//! cargo run --release --example mailserver -- --user alice:secret --user bob:hunter2 \
//!     --smtp 127.0.0.1:2525 --pop3 127.0.0.1:1110 --imap 127.0.0.1:1143 \
//!     --smtps 127.0.0.1:4650 --pop3s 127.0.0.1:9950 --imaps 127.0.0.1:9930
//! cargo run --release --example mailserver -- --user alice:secret \
//!     --relay smtp.example.org:587 --relay-starttls --relay-auth alice:secret
//! ```
//!
//! With no flags: SMTP on 127.0.0.1:2525, POP3 on 127.0.0.1:1110, IMAP on
//! 127.0.0.1:1143, a demo user (`demo`, password `demo`), mail under a
//! data directory in the system's temporary directory. All of it is
//! printed at start.
//!
//! - Mail to a local user (`NAME@DOMAIN` for a local domain — `localhost`,
//!   `--hostname`, each `--domain`, the listeners' address literals —
//!   `NAME+anything@DOMAIN` and `postmaster` too) is written under the
//!   user's `tmp/`, synced and renamed into `new/` before the `250`: a
//!   crash never leaves a partial message, and what was acknowledged is on
//!   disk. IMAP sessions idling on the user's INBOX are told at once
//!   (`* N EXISTS`), the next POP3 login sees it. An unknown local user
//!   is refused with `550 5.1.1`; mail for any other domain with
//!   `550 5.7.1`, unless the server relays.
//! - `--relay HOST:PORT` makes it a store-and-forward hop to that
//!   smarthost (`relay.rs`): mail for other domains, from authenticated
//!   users (or any loopback client with `--open-relay-loopback`), is
//!   written to the queue under `DATA/.queue/` and synced before the `250`
//!   (`queue.rs`), then sent on with the `mailwire-smtp` client session
//!   (`--relay-auth USER:PASS`, `--relay-starttls`), with `SIZE`,
//!   `8BITMIME`, `SMTPUTF8` and the DSN parameters passed on when the next
//!   hop offers them (`DSN` is announced). Each recipient's outcome is
//!   kept: accepted ones are never sent again, even after a restart;
//!   temporary failures are retried (`--queue-retry`, doubling), and
//!   permanent ones, or those still failing after `--queue-lifetime`, are
//!   returned to the sender in an RFC 3464 `multipart/report` built with
//!   `mailwire-mime` (`dsn.rs`), as are the "delivered" and "relayed"
//!   notices `NOTIFY=SUCCESS` asks for.
//! - Each hop adds its `Received:` field; a message that arrives with more
//!   than `--max-hops` (default 50) is a loop, refused with `554 5.4.6`.
//! - IMAP serves each user's Maildir as INBOX, with Maildir++ folders
//!   for the mailboxes a client creates (the `imap-server` example's
//!   store: UIDs kept in the Maildir, flags in the file names, `IDLE`).
//!   POP3 and IMAP read the same files: what one deletes the other no
//!   longer lists.
//! - STARTTLS and STLS on the plain ports, implicit TLS on `--smtps`,
//!   `--pop3s` and `--imaps`, with `--tls-cert`/`--tls-key` (PEM) or a
//!   self-signed certificate made at start. AUTH PLAIN/LOGIN over SMTP
//!   (optional: local delivery needs none); USER/PASS, APOP and AUTH over
//!   POP3; LOGIN and AUTHENTICATE PLAIN/LOGIN over IMAP. On a listener
//!   bound to a non-loopback address no password is accepted before TLS
//!   (IMAP announces `LOGINDISABLED`).
//! - `--max-size` (default 10 MiB) is announced (SMTP `SIZE`, IMAP
//!   `APPENDLIMIT`) and enforced;
//!   `--max-connections` (default 100, all listeners together) answers
//!   connections beyond it with `421 4.7.0` / `-ERR [SYS/TEMP]` /
//!   `* BYE [UNAVAILABLE]`; `--idle-timeout SECS` closes silent
//!   connections (default 300 s for SMTP, 600 s for POP3, 1800 s for
//!   IMAP, RFC 9051 §5.4). Malformed commands get the protocol's error
//!   and the connection stays.
//! - Ctrl-C or SIGTERM: the listeners close, idle sessions are told
//!   (`421 4.3.2`, `* BYE`), messages being received are read to their
//!   end and delivered, and the server waits (up to 30 s) for every
//!   session.
//! - One log line per session event on stderr, prefixed with the protocol.

#[path = "../support/mod.rs"]
mod support;

mod dsn;
mod queue;
mod relay;
mod users;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use mailwire::sasl::Mechanism;
use mailwire::smtp::Limits;
use mailwire::smtp::session::ServerConfig;
use mailwire::smtp::types::Domain;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::Instrument;

use support::args::Args;
use support::imap_conn::{Conn as ImapConn, Shared as ImapShared};
use support::pop3_conn::{Conn as Pop3Conn, Pop3Shared};
use support::pop3_store::Locks;
use support::shutdown::{self, Shutdown};
use support::smtp_conn::SmtpShared;
use support::stream::Stream;
use users::{Directory, valid_user_name};

const USAGE: &str = "\
usage: mailserver [--smtp ADDR] [--pop3 ADDR] [--imap ADDR]
                  [--smtps ADDR] [--pop3s ADDR] [--imaps ADDR]
                  [--data DIR] [--user NAME:PASS]... [--hostname NAME] [--domain NAME]...
                  [--tls-cert FILE --tls-key FILE] [--max-size OCTETS]
                  [--max-connections N] [--idle-timeout SECS] [--max-hops N]
                  [--relay HOST:PORT [--relay-auth USER:PASS]
                   [--relay-starttls [--relay-ca FILE | --relay-insecure]]
                   [--open-relay-loopback] [--queue-retry SECS]
                   [--queue-lifetime SECS]]

  --smtp ADDR          SMTP with STARTTLS (default 127.0.0.1:2525)
  --pop3 ADDR          POP3 with STLS (default 127.0.0.1:1110)
  --imap ADDR          IMAP with STARTTLS (default 127.0.0.1:1143)
  --smtps ADDR         SMTP over implicit TLS (off unless given)
  --pop3s ADDR         POP3 over implicit TLS (off unless given)
  --imaps ADDR         IMAP over implicit TLS (off unless given)
  --data DIR           one Maildir per user below DIR (default: a directory
                       in the system's temporary directory)
  --user NAME:PASS     a local user (repeatable; default: demo:demo)
  --hostname NAME      the server's name (default localhost)
  --domain NAME        another domain whose mail is local (repeatable)
  --tls-cert, --tls-key  PEM certificate chain and key (default: a
                       self-signed certificate made at start)
  --max-size OCTETS    largest message accepted (default 10485760)
  --max-connections N  open connections, all listeners (default 100)
  --idle-timeout SECS  close silent connections (default 300 SMTP,
                       600 POP3, 1800 IMAP)
  --max-hops N         refuse a message with more Received fields, a
                       loop (default 50)
  --relay HOST:PORT    forward mail for other domains to this server (a
                       smarthost), from authenticated users; queued in
                       DIR/.queue before the 250
  --relay-auth USER:PASS  AUTH PLAIN/LOGIN at the next hop
  --relay-starttls     STARTTLS at the next hop, required; its certificate
                       checked against the webpki roots and --relay-ca
                       (--relay-insecure: any certificate, for tests)
  --open-relay-loopback  relay for unauthenticated clients on loopback
  --queue-retry SECS   first retry after a temporary failure, doubled each
                       time up to 64 times (default 60)
  --queue-lifetime SECS  return a message still undelivered after this
                       (default 432000, five days)";

/// The protocols this server listens for; [`serve`] hands each
/// connection to the protocol's handler in `examples/support/`, over the
/// same [`Directory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Smtp,
    Pop3,
    Imap,
}

/// One listening socket.
#[derive(Debug)]
struct Listener {
    protocol: Protocol,
    /// TLS from the first byte (RFC 8314).
    implicit_tls: bool,
    socket: TcpListener,
    addr: SocketAddr,
}

impl Listener {
    fn name(&self) -> &'static str {
        match (self.protocol, self.implicit_tls) {
            (Protocol::Smtp, false) => "smtp",
            (Protocol::Smtp, true) => "smtps",
            (Protocol::Pop3, false) => "pop3",
            (Protocol::Pop3, true) => "pop3s",
            (Protocol::Imap, false) => "imap",
            (Protocol::Imap, true) => "imaps",
        }
    }
}

/// What the listeners share.
struct Server {
    smtp: Arc<SmtpShared>,
    smtp_config: ServerConfig,
    pop3: Arc<Pop3Shared>,
    /// IMAP on loopback listeners (passwords before TLS accepted) and on
    /// the others (`LOGINDISABLED` until TLS).
    imap_loopback: Arc<ImapShared>,
    imap_remote: Arc<ImapShared>,
    tls: tokio_rustls::TlsAcceptor,
    permits: Arc<Semaphore>,
    max_connections: usize,
    shutdown: Shutdown,
}

fn main() -> ExitCode {
    let args = Args::parse(
        USAGE,
        &[
            "smtp",
            "pop3",
            "imap",
            "smtps",
            "pop3s",
            "imaps",
            "data",
            "user",
            "hostname",
            "domain",
            "tls-cert",
            "tls-key",
            "max-size",
            "max-connections",
            "idle-timeout",
            "max-hops",
            "relay",
            "relay-auth",
            "relay-ca",
            "queue-retry",
            "queue-lifetime",
        ],
        &["relay-starttls", "relay-insecure", "open-relay-loopback"],
    );
    support::serve::init_plain_tracing();
    support::serve::run(run(&args))
}

async fn bind(
    protocol: Protocol,
    implicit_tls: bool,
    addr: &str,
) -> Result<Listener, Box<dyn std::error::Error>> {
    let socket = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let addr = socket.local_addr()?;
    Ok(Listener {
        protocol,
        implicit_tls,
        socket,
        addr,
    })
}

async fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    // Users: the given ones, or the demo user.
    let mut users = args.all_credentials("user");
    let demo = users.is_empty();
    if demo {
        users.push(("demo".to_owned(), "demo".to_owned()));
    }
    for (name, _) in &users {
        if !valid_user_name(name) {
            args.fail(&format!(
                "user name {name:?}: 1 to 64 of A-Z a-z 0-9 . _ -, not starting with a dot"
            ));
        }
    }
    let hostname = args.get("hostname").unwrap_or("localhost").to_owned();
    let domain = Domain::new(hostname.clone())
        .map_err(|_| format!("--hostname {hostname:?} is not a domain name"))?;

    // Listeners first, so the address literals are known.
    let mut listeners = vec![
        bind(
            Protocol::Smtp,
            false,
            args.get("smtp").unwrap_or("127.0.0.1:2525"),
        )
        .await?,
        bind(
            Protocol::Pop3,
            false,
            args.get("pop3").unwrap_or("127.0.0.1:1110"),
        )
        .await?,
        bind(
            Protocol::Imap,
            false,
            args.get("imap").unwrap_or("127.0.0.1:1143"),
        )
        .await?,
    ];
    if let Some(addr) = args.get("smtps") {
        listeners.push(bind(Protocol::Smtp, true, addr).await?);
    }
    if let Some(addr) = args.get("pop3s") {
        listeners.push(bind(Protocol::Pop3, true, addr).await?);
    }
    if let Some(addr) = args.get("imaps") {
        listeners.push(bind(Protocol::Imap, true, addr).await?);
    }

    if demo && listeners.iter().any(|l| !l.addr.ip().is_loopback()) {
        args.fail("a listener is not on loopback: give --user NAME:PASS instead of the demo user");
    }

    let mut domains = vec!["localhost".to_owned(), hostname.to_ascii_lowercase()];
    domains.extend(args.all("domain").iter().map(|d| d.to_ascii_lowercase()));
    for listener in &listeners {
        domains.push(match listener.addr.ip() {
            std::net::IpAddr::V4(a) => format!("[{a}]"),
            std::net::IpAddr::V6(a) => format!("[ipv6:{a}]"),
        });
    }
    domains.sort();
    domains.dedup();

    let data = match args.get("data") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::temp_dir().join("mailwire-mailserver"),
    };
    let mut directory = Directory::open(&data, users.clone(), domains.clone())
        .map_err(|e| format!("cannot open the data directory {}: {e}", data.display()))?;
    let relay = relay_config(args, &hostname)?;
    let queue = match &relay {
        Some(_) => {
            let dir = data.join(".queue");
            let queue = queue::Queue::open(&dir)
                .map_err(|e| format!("cannot open the queue {}: {e}", dir.display()))?;
            let queue = Arc::new(queue);
            directory = directory.with_relay(
                Arc::clone(&queue),
                args.flag("open-relay-loopback"),
                &hostname,
            );
            Some(queue)
        }
        None => None,
    };
    let directory = Arc::new(directory);

    let mut names = vec![hostname.clone(), "localhost".to_owned()];
    for listener in &listeners {
        names.push(listener.addr.ip().to_string());
    }
    names.sort();
    names.dedup();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let tls_config =
        support::tls::server_config(args.get("tls-cert"), args.get("tls-key"), &name_refs)
            .map_err(|e| format!("TLS: {e}"))?;
    let tls = tokio_rustls::TlsAcceptor::from(Arc::clone(&tls_config));

    let max_size: u64 = args.parsed("max-size", 10 * 1024 * 1024);
    let max_connections: usize = args.parsed("max-connections", 100);
    if max_connections == 0 {
        args.fail("--max-connections must be at least 1");
    }
    let idle_arg: Option<u64> = args
        .get("idle-timeout")
        .map(|_| args.parsed("idle-timeout", 0));
    if idle_arg == Some(0) {
        args.fail("--idle-timeout must be at least 1");
    }
    let smtp_idle = Duration::from_secs(idle_arg.unwrap_or(300));
    let pop3_idle = Duration::from_secs(idle_arg.unwrap_or(600));
    let imap_idle = Duration::from_secs(idle_arg.unwrap_or(1800));

    let mut limits = Limits::default();
    limits.message_size = max_size;
    // SIZE= and the other parameters make MAIL longer than 512 octets.
    limits.command_line = 2048;
    let mut smtp_config = ServerConfig::new(domain);
    smtp_config.limits = limits;
    smtp_config.extensions.smtputf8 = true;
    smtp_config.extensions.starttls = true;
    smtp_config.extensions.auth = vec![Mechanism::PLAIN, Mechanism::LOGIN];
    // The relay passes the DSN parameters on, or answers for them.
    smtp_config.extensions.dsn = relay.is_some();

    let (trigger, shutdown) = Shutdown::new();
    let smtp = Arc::new(SmtpShared {
        users: users.clone(),
        tls: Some(tls.clone()),
        idle: smtp_idle,
        mailboxes: directory.clone(),
        software: "mailwire mailserver",
        max_hops: args.parsed("max-hops", 50),
        shutdown: shutdown.clone(),
    });
    let pop3 = Arc::new(Pop3Shared {
        users: users.clone(),
        maildrops: directory.clone(),
        locks: Locks::default(),
        tls: Some(Arc::clone(&tls_config)),
        stls: true,
        apop: true,
        idle: pop3_idle,
        host: hostname.clone(),
        implementation: "mailwire-mailserver",
        shutdown: shutdown.clone(),
    });
    let imap_shared = |require_tls| {
        Arc::new(ImapShared {
            users: directory.imap_users(),
            tls: Some(Arc::clone(&tls_config)),
            require_tls,
            idle_timeout: imap_idle,
            // Deliveries of this server wake IDLE at once; the poll finds
            // what other programs put into the Maildirs.
            poll: Duration::from_secs(5),
            max_append: max_size,
            shutdown: shutdown.clone(),
        })
    };
    let imap_loopback = imap_shared(false);
    let imap_remote = imap_shared(true);

    // What a developer needs to point a client at it.
    println!("mailwire mailserver");
    for listener in &listeners {
        let tls = match (listener.protocol, listener.implicit_tls) {
            (_, true) => "implicit TLS",
            (Protocol::Smtp, false) => "STARTTLS",
            (Protocol::Pop3, false) => "STLS",
            (Protocol::Imap, false) => "STARTTLS",
        };
        println!("  {:<6} {} ({tls})", listener.name(), listener.addr);
    }
    println!(
        "  data   {} (one Maildir per user)",
        data.canonicalize().unwrap_or(data.clone()).display()
    );
    for (name, pass) in &users {
        let shown = if demo { pass.as_str() } else { "(as given)" };
        println!("  user   {name}  password {shown}");
    }
    println!("  local domains: {}", domains.join(", "));
    if let Some(relay) = &relay {
        println!(
            "  relay  {}{}{} (queue in {})",
            relay.server,
            if relay.tls.is_some() {
                ", STARTTLS"
            } else {
                ""
            },
            if relay.auth.is_some() { ", AUTH" } else { "" },
            data.join(".queue").display()
        );
    }
    match (args.get("tls-cert"), args.get("tls-key")) {
        (Some(cert), _) => println!("  TLS certificate {cert}"),
        _ => println!(
            "  TLS certificate self-signed for {} (made now)",
            names.join(", ")
        ),
    }

    let server = Arc::new(Server {
        smtp,
        smtp_config,
        pop3,
        imap_loopback,
        imap_remote,
        tls,
        permits: Arc::new(Semaphore::new(max_connections)),
        max_connections,
        shutdown: shutdown.clone(),
    });
    tracing::info!(
        listeners = listeners.len(),
        users = users.len(),
        data = %data.display(),
        max_size,
        max_connections,
        "mailserver started"
    );
    let mut tasks = Vec::new();
    for listener in listeners {
        tasks.push(tokio::spawn(accept_loop(listener, Arc::clone(&server))));
    }
    let runner = match (queue, relay) {
        (Some(queue), Some(relay)) => Some(tokio::spawn(relay::run(
            queue,
            Arc::new(relay),
            Arc::clone(&directory),
            shutdown.clone(),
        ))),
        _ => None,
    };

    shutdown::signal().await;
    tracing::info!("stopping: no new connections; finishing the sessions");
    trigger.raise();
    for task in tasks {
        let _ = task.await;
    }
    // Every session holds a permit: when all are back, all have ended.
    let all = u32::try_from(server.max_connections).unwrap_or(u32::MAX);
    let sessions = async {
        let _ = server.permits.acquire_many(all).await;
        // The queue runner finishes the attempt it is making.
        if let Some(runner) = runner {
            let _ = runner.await;
        }
    };
    match tokio::time::timeout(Duration::from_secs(30), sessions).await {
        Ok(()) => tracing::info!("mailserver stopped"),
        Err(_) => tracing::warn!("mailserver stopped with sessions still open after 30 s"),
    }
    Ok(())
}

/// The `--relay` flags, checked.
fn relay_config(
    args: &Args,
    hostname: &str,
) -> Result<Option<relay::Relay>, Box<dyn std::error::Error>> {
    let Some(server) = args.get("relay") else {
        for flag in ["relay-auth", "relay-ca", "queue-retry", "queue-lifetime"] {
            if args.get(flag).is_some() {
                args.fail(&format!("--{flag} goes with --relay"));
            }
        }
        for flag in ["relay-starttls", "relay-insecure", "open-relay-loopback"] {
            if args.flag(flag) {
                args.fail(&format!("--{flag} goes with --relay"));
            }
        }
        return Ok(None);
    };
    let starttls = args.flag("relay-starttls");
    if !starttls && (args.flag("relay-insecure") || args.get("relay-ca").is_some()) {
        args.fail("--relay-ca and --relay-insecure go with --relay-starttls");
    }
    let tls = if starttls {
        let config = support::tls::client_config(args.flag("relay-insecure"), args.get("relay-ca"))
            .map_err(|e| format!("--relay-starttls: {e}"))?;
        let name = support::tls::server_name(server).map_err(|e| format!("--relay: {e}"))?;
        Some((config, name))
    } else {
        None
    };
    let retry: u64 = args.parsed("queue-retry", 60);
    let lifetime: u64 = args.parsed("queue-lifetime", 432_000);
    if retry == 0 || lifetime == 0 {
        args.fail("--queue-retry and --queue-lifetime must be at least 1");
    }
    Ok(Some(relay::Relay {
        server: server.to_owned(),
        auth: args.credentials("relay-auth"),
        tls,
        hostname: hostname.to_owned(),
        wait: Duration::from_secs(60),
        retry: Duration::from_secs(retry),
        lifetime: Duration::from_secs(lifetime),
    }))
}

/// Accepts connections until the server stops.
async fn accept_loop(listener: Listener, server: Arc<Server>) {
    let mut shutdown = server.shutdown.clone();
    let name = listener.name();
    loop {
        let accepted = tokio::select! {
            accepted = listener.socket.accept() => accepted,
            () = shutdown.wait() => return,
        };
        match accepted {
            Ok((stream, peer)) => admit(&listener, stream, peer, &server),
            Err(e) => {
                tracing::warn!(listener = name, error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Starts a task for the connection, or turns it away when the limit is
/// reached.
fn admit(listener: &Listener, mut stream: TcpStream, peer: SocketAddr, server: &Arc<Server>) {
    let id = support::serve::next_id();
    let protocol = listener.protocol;
    let implicit_tls = listener.implicit_tls;
    // Passwords in plaintext only where they never leave the machine.
    let loopback = listener.addr.ip().is_loopback();
    let span = match listener.name() {
        "smtp" => tracing::info_span!("smtp"),
        "smtps" => tracing::info_span!("smtps"),
        "pop3" => tracing::info_span!("pop3"),
        "pop3s" => tracing::info_span!("pop3s"),
        "imap" => tracing::info_span!("imap"),
        _ => tracing::info_span!("imaps"),
    };
    let Ok(permit) = Arc::clone(&server.permits).try_acquire_owned() else {
        span.in_scope(|| tracing::warn!(session = id, %peer, "too many connections: refused"));
        if implicit_tls {
            // Nothing can be said before the handshake.
            return;
        }
        tokio::spawn(async move {
            let refusal: &[u8] = match protocol {
                Protocol::Smtp => b"421 4.7.0 Too many connections, try again later\r\n",
                Protocol::Pop3 => b"-ERR [SYS/TEMP] Too many connections, try again later\r\n",
                // A BYE greeting (RFC 9051 §7.1.5), code of RFC 5530.
                Protocol::Imap => b"* BYE [UNAVAILABLE] Too many connections, try again later\r\n",
            };
            let _ = tokio::time::timeout(Duration::from_secs(5), stream.write_all(refusal)).await;
            let _ = stream.shutdown().await;
        });
        return;
    };
    let server = Arc::clone(server);
    tokio::spawn(
        async move {
            serve(protocol, implicit_tls, loopback, stream, peer, id, &server).await;
            drop::<OwnedSemaphorePermit>(permit);
        }
        .instrument(span),
    );
}

/// One connection, through the protocol's handler.
async fn serve(
    protocol: Protocol,
    implicit_tls: bool,
    loopback: bool,
    tcp: TcpStream,
    peer: SocketAddr,
    id: u64,
    server: &Server,
) {
    let _ = tcp.set_nodelay(true);
    let mut stream = Stream::Plain(tcp);
    if implicit_tls {
        let limit = Duration::from_secs(30);
        if let Err(e) = stream.upgrade(&server.tls, limit).await {
            tracing::info!(session = id, %peer, error = %e, "TLS handshake failed");
            return;
        }
    }
    match protocol {
        Protocol::Smtp => {
            let mut config = server.smtp_config.clone();
            config.tls_active = implicit_tls;
            config.auth_without_tls = loopback;
            support::smtp_conn::run(stream, peer, id, Arc::clone(&server.smtp), config).await;
        }
        Protocol::Pop3 => {
            Pop3Conn::run(id, peer, stream, Arc::clone(&server.pop3), loopback).await;
        }
        Protocol::Imap => {
            let shared = if loopback {
                &server.imap_loopback
            } else {
                &server.imap_remote
            };
            ImapConn::run(id, peer, stream, Arc::clone(shared)).await;
        }
    }
}
