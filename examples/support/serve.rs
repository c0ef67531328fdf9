//! Plumbing of the example servers: the log on stderr, the STARTTLS
//! configuration from the flags, the runtime and the exit status,
//! connection ids and the accept loop.

use std::fmt::Display;
use std::future::Future;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tracing::error;

use super::args::Args;
use super::maildir::Maildir;

/// Logs on stderr, in colour when stderr is a terminal.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

/// Logs on stderr, never in colour.
pub fn init_plain_tracing() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(false)
        .init();
}

/// The users of `--user NAME:PASS` (repeatable); at least one is
/// required (a usage error otherwise).
pub fn required_users(args: &Args) -> Vec<(String, String)> {
    let users = args.all_credentials("user");
    if users.is_empty() {
        args.fail("--user is required");
    }
    users
}

/// The Maildir of `--maildir DIR`, created if missing; one that cannot be
/// opened is reported on stderr and gives the exit status.
pub fn open_maildir(args: &Args) -> Result<Maildir, ExitCode> {
    Maildir::open(args.required("maildir")).map_err(|e| {
        eprintln!("error: cannot open the Maildir: {e}");
        ExitCode::from(1)
    })
}

/// The TLS configuration for STARTTLS (`STLS`), unless `off`: the PEM
/// files of `--tls-cert` and `--tls-key`, or a self-signed certificate for
/// `localhost`, `127.0.0.1` and the host of `listen`. A configuration that
/// cannot be made is reported on stderr and gives the exit status.
pub fn starttls_config(
    args: &Args,
    off: bool,
    listen: &str,
) -> Result<Option<Arc<rustls::ServerConfig>>, ExitCode> {
    if off {
        return Ok(None);
    }
    let host = listen.rsplit_once(':').map_or(listen, |(h, _)| h);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match super::tls::server_config(
        args.get("tls-cert"),
        args.get("tls-key"),
        &["localhost", "127.0.0.1", host],
    ) {
        Ok(config) => Ok(Some(config)),
        Err(e) => {
            eprintln!("error: TLS: {e}");
            Err(ExitCode::from(1))
        }
    }
}

/// The Maildir of `--maildir` ([`open_maildir`]) and the TLS configuration
/// for `command` (`STARTTLS`, `STLS`; [`starttls_config`]) unless the flag
/// `off` is given; `--require-tls` without it is a usage error.
pub fn maildir_and_starttls(
    args: &Args,
    off: &str,
    command: &str,
    listen: &str,
) -> Result<(Maildir, Option<Arc<rustls::ServerConfig>>), ExitCode> {
    let maildir = open_maildir(args)?;
    let tls = starttls_config(args, args.flag(off), listen)?;
    if args.flag("require-tls") && tls.is_none() {
        args.fail(&format!("--require-tls needs {command}"));
    }
    Ok((maildir, tls))
}

/// Runs `work` on a multi-threaded runtime; an error (or a runtime that
/// cannot be made) is reported on stderr and makes the exit status 1.
pub fn run<E: Display>(work: impl Future<Output = Result<(), E>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// A new connection id: 1, 2, 3… for the log.
pub fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Accepts connections on `listener` and hands each to `each` with a new
/// connection id, until `stop` completes. A failed accept is logged and
/// retried after a pause.
pub async fn accept_until(
    listener: &TcpListener,
    stop: impl Future<Output = ()>,
    mut each: impl FnMut(u64, TcpStream, SocketAddr),
) {
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, peer)) => each(next_id(), socket, peer),
                Err(e) => {
                    error!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = &mut stop => return,
        }
    }
}
