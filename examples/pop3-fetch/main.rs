//! Fetches the messages of a POP3 maildrop into a directory, on
//! `mailwire_pop3::session::Client`.
//!
//! ```sh
//! cargo run --example pop3-fetch -- --server 127.0.0.1:1110 --user alice --pass secret --out ./mail [--delete] [--starttls]
//! ```
//!
//! The session: `CAPA`; with `--starttls`, `STLS` (only when `CAPA` lists
//! it: otherwise the fetch fails rather than send the password in the
//! clear), the certificate checked against the webpki roots and `--ca
//! FILE`, or not at all with `--insecure`, then `CAPA` again; `USER`/`PASS`
//! (or `AUTH PLAIN` when the server lists SASL PLAIN and not USER); `UIDL`;
//! `RETR` of each message not fetched yet; with `--delete`, `DELE` of each
//! message once it is safely on disk (fetched in this run or an earlier
//! one); `QUIT`, which is when the server removes them.
//!
//! Each message is written to `DIR/<unique-id>.eml`, byte for byte as the
//! server sent it (dot-stuffing removed), through a temporary file that is
//! synced and renamed into place, so a file that exists is complete. The
//! unique-id is the file name with every octet other than letters, digits,
//! `-`, `_`, `=`, `+`, `,` and a `.` that does not start the name written
//! as `%XX`. That makes the fetch resumable: a message whose file exists is
//! skipped. One file per unique-id, rather than a Maildir delivery, keeps
//! the record of what was fetched in the names themselves.
//!
//! Prints a summary on stdout. Exit status: 0 on success, 1 on any error
//! (connection, TLS, login refused, a message that could not be fetched or
//! written, a `QUIT` that failed), 2 on a usage error.

#[path = "../support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use mailwire::pop3::Limits;
use mailwire::pop3::session::{Client, ClientConfig, ClientEvent};
use mailwire::pop3::types::{Argument, Capability, Command, MessageNumber, Password, Response};
use mailwire::sasl;
use tokio::io::AsyncWriteExt;

use support::args::Args;
use support::client::{Connection, Failure, commit, fail, temp_path};

const USAGE: &str = "usage: pop3-fetch --server ADDR --user NAME --pass PASS --out DIR
                  [--delete] [--starttls [--ca FILE | --insecure] [--tls-name NAME]]
                  [--timeout SECS] [--max-size OCTETS]

  --server ADDR      the POP3 server, HOST:PORT
  --user, --pass     the account
  --out DIR          where messages go, as DIR/<unique-id>.eml (created if missing);
                     messages already there are not fetched again
  --delete           delete each message on the server once it is on disk
  --starttls         upgrade with STLS before logging in (fails if not offered)
  --ca FILE          also trust the certificates of this PEM file
  --insecure         accept any certificate (test servers)
  --tls-name NAME    the name to check the certificate against (default: the host)
  --timeout SECS     bound on each network wait (default 60)
  --max-size OCTETS  refuse larger messages (default 64 MiB)";

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
                if let ClientEvent::Error(e) = event {
                    return fail(format!("session: {e}"));
                }
                return Ok(event);
            }
            let bytes = self.io.receive().await?;
            self.client.handle_input(bytes);
        }
    }

    /// The status line answering the command sent last.
    async fn reply(&mut self) -> Result<Response<'static>, Failure> {
        match self.next().await? {
            ClientEvent::Reply { response, .. } => Ok(response),
            other => fail(format!("unexpected {other:?} before the reply")),
        }
    }

    /// Sends `command` and gives its status line.
    async fn command(&mut self, command: Command<'_>) -> Result<Response<'static>, Failure> {
        self.client.send(command)?;
        self.reply().await
    }

    /// `CAPA`: the capabilities, `None` when the server does not know it.
    async fn capa(&mut self) -> Result<Option<Vec<Capability<'static>>>, Failure> {
        if !self.command(Command::Capa).await?.is_ok() {
            return Ok(None);
        }
        match self.next().await? {
            ClientEvent::Capabilities(caps) => Ok(Some(caps)),
            other => fail(format!("unexpected {other:?} in the reply to CAPA")),
        }
    }

    /// `STLS`, then the TLS handshake.
    async fn starttls(
        &mut self,
        config: Arc<rustls::ClientConfig>,
        name: rustls::pki_types::ServerName<'static>,
    ) -> Result<(), Failure> {
        let response = self.command(Command::Stls).await?;
        if !response.is_ok() {
            return fail(format!("STLS refused: {}", line(&response)));
        }
        match self.next().await? {
            ClientEvent::StartTls { leftover } if leftover.is_empty() => {}
            ClientEvent::StartTls { leftover } => {
                // Bytes before the handshake cannot be trusted; the server
                // is broken or someone is in the middle.
                return fail(format!(
                    "the server sent {} octets after +OK to STLS, before TLS",
                    leftover.len()
                ));
            }
            other => return fail(format!("unexpected {other:?} after STLS")),
        }
        self.io.upgrade((config, name), "STLS").await?;
        self.client.tls_established();
        Ok(())
    }
}

fn line(response: &Response<'_>) -> String {
    String::from_utf8_lossy(&mailwire::pop3::encode::Encode::to_bytes(response))
        .trim_end()
        .to_owned()
}

/// The file name for a unique-id: see the module documentation.
fn file_name(uid: &[u8]) -> String {
    let mut name = String::with_capacity(uid.len() + 4);
    for (i, &b) in uid.iter().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'=' | b'+' | b',')
            || (b == b'.' && i > 0);
        if keep {
            name.push(char::from(b));
        } else {
            name.push_str(&format!("%{b:02X}"));
        }
    }
    name.push_str(".eml");
    name
}

/// Counts for the summary.
#[derive(Debug, Default)]
struct Summary {
    messages: usize,
    fetched: usize,
    octets: u64,
    skipped: usize,
    marked: usize,
    errors: Vec<String>,
    deleted: bool,
}

struct Options {
    server: String,
    user: String,
    pass: String,
    out: PathBuf,
    delete: bool,
    starttls: bool,
    tls: Option<(
        Arc<rustls::ClientConfig>,
        rustls::pki_types::ServerName<'static>,
    )>,
    wait: Duration,
    max_size: usize,
}

fn main() -> ExitCode {
    let args = Args::parse(
        USAGE,
        &[
            "server", "user", "pass", "out", "ca", "tls-name", "timeout", "max-size",
        ],
        &["delete", "starttls", "insecure"],
    );
    let starttls = support::client::starttls_flag(&args);
    let server = args.required("server").to_owned();
    let tls = match support::client::tls_target(&args, starttls, &server) {
        Ok(tls) => tls,
        Err(code) => return code,
    };
    let wait = support::client::wait_flag(&args);
    let options = Options {
        user: args.required("user").to_owned(),
        pass: args.required("pass").to_owned(),
        out: PathBuf::from(args.required("out")),
        delete: args.flag("delete"),
        starttls,
        tls,
        wait,
        max_size: args.parsed("max-size", Limits::default().message_size),
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
    println!(
        "{}: {} messages on the server, {} fetched ({} octets), {} already on disk, {} marked for deletion{}",
        options.server,
        summary.messages,
        summary.fetched,
        summary.octets,
        summary.skipped,
        summary.marked,
        if summary.deleted {
            ", deleted at QUIT"
        } else {
            ""
        },
    );
    support::client::finish(&summary.errors)
}

async fn fetch(options: &Options, summary: &mut Summary) -> Result<(), Failure> {
    tokio::fs::create_dir_all(&options.out)
        .await
        .map_err(|e| Failure(format!("{}: {e}", options.out.display())))?;
    let io = Connection::connect(&options.server, options.wait).await?;
    let mut config = ClientConfig::default();
    config.require_tls = options.starttls;
    config.limits.message_size = options.max_size;
    let mut conn = Conn {
        io,
        client: Client::new(config),
    };

    match conn.next().await? {
        ClientEvent::Greeting(g) if g.response().is_ok() => {}
        ClientEvent::Greeting(g) => return fail(format!("greeting: {}", line(g.response()))),
        other => return fail(format!("unexpected {other:?} instead of the greeting")),
    }
    let mut caps = conn.capa().await?;
    if let Some((config, name)) = &options.tls {
        let offered = caps.as_ref().is_some_and(|c| c.contains(&Capability::Stls));
        if !offered {
            return fail("the server does not offer STLS (not in its CAPA reply)");
        }
        conn.starttls(config.clone(), name.clone()).await?;
        caps = conn.capa().await?;
    }

    login(&mut conn, options, caps.as_deref()).await?;

    // The maildrop: message numbers and unique-ids.
    let response = conn.command(Command::Uidl(None)).await?;
    if !response.is_ok() {
        return fail(format!(
            "UIDL refused ({}): a resumable fetch needs unique-ids",
            line(&response)
        ));
    }
    let mut listing = Vec::new();
    loop {
        match conn.next().await? {
            ClientEvent::UniqueId(u) => listing.push((u.msg, u.uid.as_bytes().to_vec())),
            ClientEvent::End => break,
            other => return fail(format!("unexpected {other:?} in the UIDL listing")),
        }
    }
    summary.messages = listing.len();

    for (msg, uid) in listing {
        let path = options.out.join(file_name(&uid));
        let on_disk = tokio::fs::metadata(&path).await.is_ok();
        if on_disk {
            summary.skipped += 1;
        } else {
            match retr(&mut conn, msg, &path).await? {
                Ok(octets) => {
                    summary.fetched += 1;
                    summary.octets += octets;
                }
                Err(e) => {
                    summary.errors.push(format!("message {msg}: {e}"));
                    continue;
                }
            }
        }
        if options.delete {
            let response = conn.command(Command::Dele(msg)).await?;
            if response.is_ok() {
                summary.marked += 1;
            } else {
                summary
                    .errors
                    .push(format!("DELE {msg}: {}", line(&response)));
            }
        }
    }

    let response = conn.command(Command::Quit).await?;
    if !response.is_ok() {
        return fail(format!("QUIT: {}", line(&response)));
    }
    summary.deleted = summary.marked > 0;
    Ok(())
}

/// `USER`/`PASS`, or `AUTH PLAIN` when the server lists PLAIN and not USER.
async fn login(
    conn: &mut Conn,
    options: &Options,
    caps: Option<&[Capability<'static>]>,
) -> Result<(), Failure> {
    let user_offered = caps.is_none_or(|c| c.contains(&Capability::User));
    let plain_offered = caps.is_some_and(|c| {
        c.iter().any(|cap| match cap {
            Capability::Sasl(mechs) => mechs
                .iter()
                .any(|m| m.as_str().eq_ignore_ascii_case("PLAIN")),
            _ => false,
        })
    });
    let response = if !user_offered && plain_offered {
        let mechanism = sasl::ClientMechanism::plain(options.user.as_str(), options.pass.as_str());
        conn.client.authenticate(sasl::Client::new(mechanism)?)?;
        conn.reply().await?
    } else {
        let user = Argument::new(options.user.as_bytes())?;
        let response = conn.command(Command::User(user)).await?;
        if !response.is_ok() {
            return fail(format!("USER refused: {}", line(&response)));
        }
        let pass = Password::new(options.pass.as_bytes())?;
        conn.command(Command::Pass(pass)).await?
    };
    if !response.is_ok() {
        return fail(format!("login refused: {}", line(&response)));
    }
    Ok(())
}

/// `RETR msg` into `path`. The outer error stops the session (the
/// connection is lost or out of step); the inner one loses this message
/// only.
async fn retr(
    conn: &mut Conn,
    msg: MessageNumber,
    path: &Path,
) -> Result<Result<u64, String>, Failure> {
    let response = conn.command(Command::Retr(msg)).await?;
    if !response.is_ok() {
        return Ok(Err(format!("RETR refused: {}", line(&response))));
    }
    let (_, tmp) = temp_path(path);
    let mut file = tokio::fs::File::create(&tmp)
        .await
        .map_err(|e| Failure(format!("{}: {e}", tmp.display())))?;
    let mut octets = 0u64;
    let mut write_error = None;
    loop {
        let event = match conn.next().await {
            Ok(e) => e,
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(e);
            }
        };
        match event {
            ClientEvent::MessageChunk(chunk) => {
                octets += chunk.len() as u64;
                if write_error.is_none()
                    && let Err(e) = file.write_all(&chunk).await
                {
                    write_error = Some(e);
                }
            }
            ClientEvent::End => break,
            other => {
                let _ = tokio::fs::remove_file(&tmp).await;
                return fail(format!("unexpected {other:?} in a message"));
            }
        }
    }
    let saved = async {
        if let Some(e) = write_error {
            return Err(e);
        }
        commit(file, &tmp, path).await
    };
    match saved.await {
        Ok(()) => Ok(Ok(octets)),
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            fail(format!("{}: {e}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn unique_ids_make_distinct_safe_names() {
        assert_eq!(
            file_name(b"1700000000.M1P1.host"),
            "1700000000.M1P1.host.eml"
        );
        assert_eq!(file_name(b".."), "%2E..eml");
        assert_eq!(file_name(b"a/b%c"), "a%2Fb%25c.eml");
        assert_ne!(file_name(b"a%2F"), file_name(b"a/"));
    }
}
