//! An SMTP server that delivers into a Maildir, on
//! `mailwire_smtp::session::Server`.
//!
//! ```sh
//! cargo run --example smtp-server -- --listen 127.0.0.1:2525 --maildir ./Maildir
//! cargo run --example smtp-server -- --listen 127.0.0.1:5870 --maildir ./Maildir --user alice:secret
//! ```
//!
//! One tokio task per connection drives a sans-IO session: the session
//! checks the order of commands, pipelining, the parameters of `MAIL` and
//! `RCPT`, the size limit, the DATA and BDAT framing, STARTTLS and the
//! SASL exchanges; this program decides what the session asks it to
//! (recipients, passwords, the message) and moves the bytes.
//!
//! - Each accepted message is delivered atomically into the Maildir (one
//!   file in `new/`, written under `tmp/` first), as received, after a
//!   `Return-Path:` and a `Received:` header (RFC 5321 §4.4). The `250`
//!   reply names the file.
//! - Announced and enforced: `PIPELINING`, `SIZE` (`--max-size`, default
//!   64 MiB), `8BITMIME`, `SMTPUTF8`, `ENHANCEDSTATUSCODES`, `CHUNKING`
//!   (`BDAT`), `STARTTLS`, and `AUTH PLAIN LOGIN` when users are given.
//!   Parameters of anything else are refused with `555 5.5.4`, more than
//!   `--max-recipients` (default 100) recipients with `452 4.5.3`, and
//!   command lines ending in a bare LF with `500 5.5.2`.
//! - STARTTLS with rustls: `--tls-cert FILE --tls-key FILE` (PEM), or a
//!   self-signed certificate for `--hostname` made at start. Bytes a client
//!   pipelines after `STARTTLS` are dropped, never read as if they came
//!   through TLS (RFC 3207 §4), and logged.
//! - Authentication policy: without `--user` the server is an open sink
//!   (for tests: any sender, any recipient, no AUTH offered). With
//!   `--user NAME:PASS` (repeatable) it is a submission server: `AUTH` is
//!   offered after `STARTTLS` only (never a password in plaintext), and
//!   every `MAIL` needs a successful `AUTH` first (`530 5.7.0`), from
//!   loopback too: a test that sends without credentials runs a second
//!   instance without `--user`.
//! - `--idle-timeout SECS` (default 300, RFC 5321 §4.5.3.2.7) closes an
//!   idle connection with `421 4.4.2`; `--max-connections N` (default
//!   100) answers connections beyond it with `421 4.7.0` and closes them.
//! - One log line per session event on stderr. The address it listens on
//!   is printed on stdout at start (`listening on ADDR`), so `--listen
//!   127.0.0.1:0` works too.

#[path = "../support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::process::exit;
use std::sync::Arc;
use std::time::Duration;

use mailwire::sasl::Mechanism;
use mailwire::smtp::Limits;
use mailwire::smtp::session::ServerConfig;
use mailwire::smtp::types::Domain;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use support::args::Args;
use support::shutdown::Shutdown;
use support::smtp_conn::{OneMaildir, SmtpShared};
use support::stream::Stream;

const USAGE: &str = "\
usage: smtp-server --listen ADDR --maildir DIR [--user NAME:PASS]...
                   [--hostname NAME] [--tls-cert FILE --tls-key FILE] [--no-starttls]
                   [--max-size OCTETS] [--max-recipients N] [--max-connections N]
                   [--idle-timeout SECS]

Accepts mail and delivers each message into the Maildir DIR. With --user,
AUTH PLAIN/LOGIN is offered after STARTTLS and required before MAIL.";

#[tokio::main]
async fn main() {
    let args = Args::parse(
        USAGE,
        &[
            "listen",
            "maildir",
            "user",
            "hostname",
            "tls-cert",
            "tls-key",
            "max-size",
            "max-recipients",
            "max-connections",
            "idle-timeout",
        ],
        &["no-starttls"],
    );
    support::serve::init_plain_tracing();

    let listen = args.required("listen").to_owned();
    let Ok(maildir) = support::serve::open_maildir(&args) else {
        exit(1)
    };
    let users = args.all_credentials("user");
    let hostname = args.get("hostname").unwrap_or("localhost").to_owned();
    let domain = Domain::new(hostname.clone())
        .unwrap_or_else(|_| args.fail("--hostname is not a domain name"));
    let tls = if args.flag("no-starttls") {
        None
    } else {
        let names = [hostname.as_str(), "localhost", "127.0.0.1"];
        let config = support::tls::server_config(args.get("tls-cert"), args.get("tls-key"), &names)
            .unwrap_or_else(|e| {
                eprintln!("error: TLS: {e}");
                exit(1)
            });
        Some(tokio_rustls::TlsAcceptor::from(config))
    };

    let mut limits = Limits::default();
    limits.message_size = args.parsed("max-size", limits.message_size);
    // SIZE= and the other parameters make MAIL longer than 512 octets
    // (RFC 1870 §3 and friends): leave room for them.
    limits.command_line = 2048;
    let mut config = ServerConfig::new(domain);
    config.limits = limits;
    config.max_recipients = args.parsed("max-recipients", 100usize);
    config.extensions.smtputf8 = true;
    config.extensions.starttls = tls.is_some();
    if !users.is_empty() {
        config.extensions.auth = vec![Mechanism::PLAIN, Mechanism::LOGIN];
        config.auth_required = true;
    }
    let max_connections: usize = args.parsed("max-connections", 100);
    let idle = Duration::from_secs(args.parsed("idle-timeout", 300u64));

    let listener = TcpListener::bind(&listen).await.unwrap_or_else(|e| {
        eprintln!("error: cannot listen on {listen}: {e}");
        exit(1)
    });
    let local = listener
        .local_addr()
        .map_or_else(|_| listen.clone(), |a| a.to_string());
    println!("listening on {local}");
    tracing::info!(
        listen = %local,
        maildir = %maildir.root().display(),
        users = users.len(),
        starttls = tls.is_some(),
        "smtp-server started"
    );

    // The server stops at once on Ctrl-C: the trigger is never raised.
    let (_trigger, shutdown) = Shutdown::new();
    let shared = Arc::new(SmtpShared {
        users,
        tls,
        idle,
        mailboxes: Arc::new(OneMaildir(maildir)),
        software: "mailwire smtp-server",
        max_hops: 100,
        shutdown,
    });
    let permits = Arc::new(Semaphore::new(max_connections));
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => admit(stream, peer, &shared, &config, &permits),
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = tokio::signal::ctrl_c() => {
                tracing::info!("smtp-server stopped");
                return;
            }
        }
    }
}

/// Starts a task for the connection, or turns it away when the limit is
/// reached.
fn admit(
    mut stream: tokio::net::TcpStream,
    peer: SocketAddr,
    shared: &Arc<SmtpShared>,
    config: &ServerConfig,
    permits: &Arc<Semaphore>,
) {
    let id = support::serve::next_id();
    let Ok(permit) = Arc::clone(permits).try_acquire_owned() else {
        tracing::warn!(session = id, %peer, "too many connections: refused");
        tokio::spawn(async move {
            let _ = stream
                .write_all(b"421 4.7.0 Too many connections, try again later\r\n")
                .await;
            let _ = stream.shutdown().await;
        });
        return;
    };
    let shared = Arc::clone(shared);
    let config = config.clone();
    tokio::spawn(async move {
        support::smtp_conn::run(Stream::Plain(stream), peer, id, shared, config).await;
        drop(permit);
    });
}
