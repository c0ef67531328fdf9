//! An IMAP server for a Maildir, on `mailwire_imap::session::Server`.
//!
//! ```sh
//! cargo run --example imap-server -- --listen 127.0.0.1:1143 --maildir ./Maildir --user alice:secret
//! ```
//!
//! It serves the Maildir that `smtp-server` delivers into (INBOX) and the
//! Maildir++ folders clients create, to the users given with
//! `--user NAME:PASS` (repeatable; they share the one Maildir). The
//! connection handling and the store live in `examples/support/`
//! (`imap_conn.rs`, `imap_store.rs`) so that a server with one Maildir per
//! user plugs in the same code; this file reads the flags and accepts
//! connections.
//!
//! - Logins: `LOGIN`, `AUTHENTICATE PLAIN` and `LOGIN` (with SASL-IR).
//!   `--require-tls` refuses them before `STARTTLS`.
//! - Mailboxes: `SELECT`/`EXAMINE`, `LIST`/`LSUB` (`.` delimiter),
//!   `STATUS`, `CREATE`/`DELETE`/`RENAME`, `APPEND` (with `APPENDUID`),
//!   `NAMESPACE`; every mailbox counts as subscribed.
//! - Messages: `FETCH` (`FLAGS`, `UID`, `INTERNALDATE`, `RFC822.SIZE`,
//!   `ENVELOPE`, `BODY`, `BODYSTRUCTURE`, `BODY[…]` sections and partials,
//!   `BODY.PEEK`, `RFC822*`; non-peek fetches set `\Seen`), `STORE`
//!   (`FLAGS`, `+FLAGS`, `-FLAGS`, `.SILENT`), `COPY`/`MOVE` (with
//!   `COPYUID`), `EXPUNGE`, `SEARCH` over flags, dates, sizes, headers and
//!   text, and the `UID` forms.
//! - `IDLE`: new mail is announced as soon as another session of this
//!   process stores it, and by polling the Maildir every `--poll SECS`
//!   (default 2) for deliveries by other programs.
//! - UIDVALIDITY and UIDs survive restarts (`mailwire-uidlist` in each
//!   folder, rewritten atomically). Maildir flags `S R F T D` are `\Seen
//!   \Answered \Flagged \Deleted \Draft`; keywords are not kept.
//! - `STARTTLS` with rustls: `--tls-cert FILE --tls-key FILE` (PEM), or a
//!   self-signed certificate made at start; `--no-starttls` turns it off.
//! - `--idle-timeout SECS` (default 1800, RFC 9051 §5.4): `* BYE` and close.
//! - Messages are served as stored: files are expected with CRLF line ends
//!   (as `smtp-server` and IMAP clients write them).

#[path = "../support/mod.rs"]
mod support;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tracing::info;

use support::args::Args;
use support::imap_conn::{Conn, Shared, User};
use support::imap_store::{Notifier, Store};
use support::maildir::Maildir;
use support::shutdown::{self, Shutdown};
use support::stream::Stream;

const USAGE: &str =
    "usage: imap-server --listen ADDR --maildir DIR --user NAME:PASS [--user NAME:PASS ...]
                   [--tls-cert FILE --tls-key FILE] [--no-starttls] [--require-tls]
                   [--idle-timeout SECS] [--poll SECS]

  --listen ADDR        address to listen on, such as 127.0.0.1:1143
  --maildir DIR        the Maildir to serve (created if missing)
  --user NAME:PASS     a user and password (repeatable)
  --tls-cert, --tls-key  PEM certificate chain and key for STARTTLS
                       (default: a self-signed certificate made at start)
  --no-starttls        do not offer STARTTLS
  --require-tls        no LOGIN or AUTHENTICATE before STARTTLS
  --idle-timeout SECS  close silent connections after SECS seconds (default 1800)
  --poll SECS          how often IDLE looks at the Maildir (default 2)";

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
            "poll",
        ],
        &["no-starttls", "require-tls"],
    );
    let listen = args.required("listen").to_owned();
    let users = support::serve::required_users(&args);
    let idle = args.parsed::<u64>("idle-timeout", 1800);
    let poll = args.parsed::<f64>("poll", 2.0);
    if idle == 0 || poll.is_nan() || poll <= 0.0 {
        args.fail("--idle-timeout and --poll must be positive");
    }
    let (maildir, tls) =
        match support::serve::maildir_and_starttls(&args, "no-starttls", "STARTTLS", &listen) {
            Ok(opened) => opened,
            Err(code) => return code,
        };
    // One Maildir, shared by every user given.
    let store = Store::new(maildir.clone(), Notifier::default());
    let (trigger, stop) = Shutdown::new();
    let shared = Arc::new(Shared {
        users: users
            .into_iter()
            .map(|(name, password)| User {
                name,
                password,
                store: store.clone(),
            })
            .collect(),
        tls,
        require_tls: args.flag("require-tls"),
        idle_timeout: Duration::from_secs(idle),
        poll: Duration::from_secs_f64(poll),
        max_append: mailwire::imap::Limits::default().literal_size,
        shutdown: stop,
    });
    support::serve::run(serve(&listen, maildir, shared, trigger))
}

async fn serve(
    listen: &str,
    maildir: Maildir,
    shared: Arc<Shared>,
    trigger: shutdown::Trigger,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    info!(
        addr = %listener.local_addr()?,
        maildir = %maildir.root().display(),
        starttls = shared.tls.is_some(),
        "listening"
    );
    let stop = async {
        shutdown::signal().await;
        info!("interrupted; telling the sessions");
        trigger.raise();
        // Give the sessions a moment to say BYE.
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    support::serve::accept_until(&listener, stop, |id, socket, peer| {
        let shared = shared.clone();
        tokio::spawn(async move {
            Conn::run(id, peer, Stream::Plain(socket), shared).await;
        });
    })
    .await;
    Ok(())
}
