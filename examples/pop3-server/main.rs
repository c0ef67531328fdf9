//! A POP3 server for a Maildir, on `mailwire_pop3::session::Server`.
//!
//! ```sh
//! cargo run --example pop3-server -- --listen 127.0.0.1:1110 --maildir ./Maildir --user alice:secret
//! ```
//!
//! It serves the Maildir that `smtp-server` delivers into, to the users
//! given with `--user NAME:PASS` (repeatable; they share the one maildrop).
//! One tokio task per connection drives a sans-IO session; the session
//! checks the order of commands, answers `CAPA`, `STAT`, `LIST`, `UIDL`,
//! `DELE`, `RSET` and `NOOP` itself and asks this program to check
//! passwords, send messages and remove the deleted ones.
//!
//! - Logins: `USER`/`PASS`, `APOP` (the greeting carries a timestamp;
//!   `--no-apop` leaves it out), `AUTH PLAIN`, `LOGIN` and `CRAM-MD5`.
//!   `--require-tls` refuses password logins before `STLS`.
//! - At login the maildrop is locked and listed: the session sees the
//!   messages as they were then, oldest delivery first. A second login
//!   while the first session is open gets `-ERR [IN-USE]` (the lock lives
//!   in this process). `UIDL` gives the Maildir unique name (or a hash of it
//!   when it is not a valid unique-id).
//! - `DELE` marks; the files are removed at `QUIT` (UPDATE state) only. A
//!   connection that drops, or times out, removes nothing.
//! - Messages are streamed from the file in 64 KiB pieces and dot-stuffed
//!   by the library's encoder. A file stored with CRLF line ends is sent
//!   byte for byte; bare LF line ends are sent as CRLF, and the sizes of
//!   `LIST` and `STAT` count them so.
//! - `STLS` with rustls: `--tls-cert FILE --tls-key FILE` (PEM), or a
//!   self-signed certificate made at start; `--no-stls` turns it off.
//!   Bytes a client pipelines after `STLS` are dropped, never read as if
//!   they came through TLS.
//! - `--idle-timeout SECS` (default 600, the RFC 1939 §3 minimum): an idle
//!   connection is closed without a response and without UPDATE.
//! - One log line per session event on stderr (`RUST_LOG`-style levels are
//!   not read; everything at info and above is shown).

#[path = "../support/mod.rs"]
mod support;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tracing::info;

use support::args::Args;
use support::pop3_conn::{Conn, OneMaildrop, Pop3Shared};
use support::pop3_store::Locks;
use support::shutdown::Shutdown;
use support::stream::Stream;

const USAGE: &str =
    "usage: pop3-server --listen ADDR --maildir DIR --user NAME:PASS [--user NAME:PASS ...]
                   [--tls-cert FILE --tls-key FILE] [--no-stls] [--require-tls]
                   [--no-apop] [--idle-timeout SECS]

  --listen ADDR        address to listen on, such as 127.0.0.1:1110
  --maildir DIR        the Maildir to serve (created if missing)
  --user NAME:PASS     a user and password (repeatable)
  --tls-cert, --tls-key  PEM certificate chain and key for STLS
                       (default: a self-signed certificate made at start)
  --no-stls            do not offer STLS
  --require-tls        no USER/PASS or AUTH before STLS
  --no-apop            no APOP timestamp in the greeting
  --idle-timeout SECS  close idle connections after SECS seconds (default 600)";

fn main() -> ExitCode {
    support::serve::init_tracing();
    let args = Args::parse(
        USAGE,
        &[
            "listen",
            "maildir",
            "user",
            "tls-cert",
            "tls-key",
            "idle-timeout",
        ],
        &["no-stls", "require-tls", "no-apop"],
    );
    let listen = args.required("listen").to_owned();
    let users = support::serve::required_users(&args);
    let idle = args.parsed::<u64>("idle-timeout", 600);
    if idle == 0 {
        args.fail("--idle-timeout must be at least 1");
    }
    let (maildir, tls) =
        match support::serve::maildir_and_starttls(&args, "no-stls", "STLS", &listen) {
            Ok(opened) => opened,
            Err(code) => return code,
        };
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| {
            h.trim()
                .chars()
                .filter(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>'))
                .collect::<String>()
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    let root = maildir.root().display().to_string();
    // The server stops at once on Ctrl-C: the trigger is never raised.
    let (_trigger, shutdown) = Shutdown::new();
    let shared = Arc::new(Pop3Shared {
        users,
        maildrops: Arc::new(OneMaildrop(maildir)),
        locks: Locks::default(),
        stls: tls.is_some(),
        tls,
        apop: !args.flag("no-apop"),
        idle: Duration::from_secs(idle),
        host,
        implementation: "mailwire-pop3-example",
        shutdown,
    });
    let plaintext_login = !args.flag("require-tls");
    support::serve::run(serve(&listen, &root, shared, plaintext_login))
}

async fn serve(
    listen: &str,
    root: &str,
    shared: Arc<Pop3Shared>,
    plaintext_login: bool,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    info!(
        addr = %listener.local_addr()?,
        maildir = %root,
        stls = shared.tls.is_some(),
        "listening"
    );
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
        info!("interrupted; stopping");
    };
    support::serve::accept_until(&listener, stop, |id, socket, peer| {
        let shared = shared.clone();
        tokio::spawn(async move {
            Conn::run(id, peer, Stream::Plain(socket), shared, plaintext_login).await;
        });
    })
    .await;
    Ok(())
}
