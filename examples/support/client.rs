//! Plumbing of the example clients (`pop3-fetch`, `imap-fetch`): the
//! `--starttls`/`--ca`/`--insecure`/`--tls-name`/`--timeout` flags, the
//! connection (TCP with a bound on every wait, upgraded to TLS after
//! `STARTTLS`/`STLS`), files written through a synced temporary file, and
//! the exit status.

use std::future::Future;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::args::Args;

/// What went wrong; the client stops.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

/// Fails with `message`.
pub fn fail<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(message.into()))
}

/// The TLS configuration and the name to check the certificate against.
pub type TlsTarget = (Arc<rustls::ClientConfig>, ServerName<'static>);

/// `--starttls`, after checking that `--ca` and `--insecure` go with it and
/// not with each other (a usage error otherwise).
pub fn starttls_flag(args: &Args) -> bool {
    let starttls = args.flag("starttls");
    if !starttls && (args.flag("insecure") || args.get("ca").is_some()) {
        args.fail("--ca and --insecure go with --starttls");
    }
    if args.flag("insecure") && args.get("ca").is_some() {
        args.fail("--ca and --insecure exclude each other");
    }
    starttls
}

/// The TLS configuration for `server` when `starttls`: the webpki roots
/// and `--ca`, or any certificate with `--insecure`, checked against
/// `--tls-name` or the host. A configuration that cannot be made is
/// reported on stderr and gives the exit status.
pub fn tls_target(
    args: &Args,
    starttls: bool,
    server: &str,
) -> Result<Option<TlsTarget>, ExitCode> {
    if !starttls {
        return Ok(None);
    }
    let config = super::tls::client_config(args.flag("insecure"), args.get("ca"));
    let name = match args.get("tls-name") {
        Some(n) => ServerName::try_from(n.to_owned()).map_err(|e| e.to_string().into()),
        None => super::tls::server_name(server),
    };
    match (config, name) {
        (Ok(c), Ok(n)) => Ok(Some((c, n))),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: TLS: {e}");
            Err(ExitCode::from(1))
        }
    }
}

/// `--timeout SECS` (default 60, at least 1): the bound on each network
/// wait.
pub fn wait_flag(args: &Args) -> Duration {
    let wait = args.parsed::<u64>("timeout", 60);
    if wait == 0 {
        args.fail("--timeout must be at least 1");
    }
    Duration::from_secs(wait)
}

/// Runs `work` on a single-threaded runtime; a runtime that cannot be
/// made is reported on stderr and gives the exit status.
pub fn block_on<T>(work: impl Future<Output = T>) -> Result<T, ExitCode> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Ok(rt.block_on(work)),
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(1))
        }
    }
}

/// Prints the errors on stderr; the exit status is 0 without any, else 1.
pub fn finish(errors: &[String]) -> ExitCode {
    for e in errors {
        eprintln!("error: {e}");
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The connection, before or after the TLS upgrade.
#[derive(Debug)]
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    /// During a handshake, and after a failed one.
    Gone,
}

/// A connection to the server, every read and write bounded in time.
#[derive(Debug)]
pub struct Connection {
    stream: Stream,
    buf: Vec<u8>,
    wait: Duration,
}

impl Connection {
    /// Connects to `server` (HOST:PORT) within `wait`.
    pub async fn connect(server: &str, wait: Duration) -> Result<Self, Failure> {
        let tcp = timeout(wait, TcpStream::connect(server))
            .await
            .map_err(|_| Failure("timed out connecting".into()))?
            .map_err(|e| Failure(format!("connecting to {server}: {e}")))?;
        let _ = tcp.set_nodelay(true);
        Ok(Self {
            stream: Stream::Plain(tcp),
            buf: vec![0u8; 64 * 1024],
            wait,
        })
    }

    /// Writes `bytes` to the server.
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let write = async {
            match &mut self.stream {
                Stream::Plain(s) => s.write_all(bytes).await,
                Stream::Tls(s) => {
                    s.write_all(bytes).await?;
                    s.flush().await
                }
                Stream::Gone => Err(io::ErrorKind::NotConnected.into()),
            }
        };
        timeout(self.wait, write)
            .await
            .map_err(|_| Failure("timed out writing to the server".into()))??;
        Ok(())
    }

    /// The next bytes from the server; the end of the connection is a
    /// failure.
    pub async fn receive(&mut self) -> Result<&[u8], Failure> {
        let read = async {
            match &mut self.stream {
                Stream::Plain(s) => s.read(&mut self.buf).await,
                Stream::Tls(s) => s.read(&mut self.buf).await,
                Stream::Gone => Ok(0),
            }
        };
        let n = timeout(self.wait, read)
            .await
            .map_err(|_| Failure("timed out waiting for the server".into()))??;
        if n == 0 {
            return fail("the server closed the connection");
        }
        Ok(self.buf.get(..n).unwrap_or_default())
    }

    /// The client side of the TLS handshake, after the server accepted
    /// `command` (`STARTTLS`, `STLS`); the connection goes on under TLS.
    pub async fn upgrade(
        &mut self,
        (config, name): TlsTarget,
        command: &str,
    ) -> Result<(), Failure> {
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::Gone) else {
            return fail(format!("{command} on a TLS connection"));
        };
        let connector = tokio_rustls::TlsConnector::from(config);
        let tls = timeout(self.wait, connector.connect(name, tcp))
            .await
            .map_err(|_| Failure("TLS handshake timed out".into()))?
            .map_err(|e| Failure(format!("TLS handshake: {e}")))?;
        self.stream = Stream::Tls(Box::new(tls));
        Ok(())
    }
}

/// The directory of `path` and the temporary file in it that is renamed
/// to `path` once complete.
pub fn temp_path(path: &Path) -> (&Path, PathBuf) {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".tmp.{}.{name}", std::process::id()));
    (dir, tmp)
}

/// Syncs `file` (written at `tmp`, see [`temp_path`]), renames it to
/// `path` and syncs the directory, so a file that exists is complete.
pub async fn commit(file: tokio::fs::File, tmp: &Path, path: &Path) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(tmp, path).await?;
    tokio::fs::File::open(dir).await?.sync_all().await
}

/// Writes `bytes` to `path` through a synced temporary file renamed into
/// place, then syncs the directory.
pub fn save(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (dir, tmp) = temp_path(path);
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
