//! Sends one message over SMTP, on `mailwire_smtp::session::Client`.
//!
//! ```sh
//! cargo run --example smtp-send -- --server 127.0.0.1:2525 \
//!     --from alice@example.org --to bob@example.org --to carol@example.org < message.eml
//! cargo run --example smtp-send -- --server mail.example.org:587 --starttls \
//!     --auth alice:secret --from alice@example.org --to bob@example.org < message.eml
//! ```
//!
//! - `EHLO`, then `STARTTLS` with `--starttls` (the certificate is checked
//!   against the webpki roots and `--ca FILE`; `--insecure` accepts any,
//!   for test servers). With `--starttls` nothing but `EHLO` and
//!   `STARTTLS` goes out in plaintext: a server that does not offer it is
//!   an error, never a fallback. Bytes the server sends after its `220`
//!   are discarded.
//! - `AUTH PLAIN` (or `LOGIN` when only that is offered) with
//!   `--auth USER:PASS`.
//! - `MAIL FROM` with `SIZE=` when the server announces `SIZE`,
//!   `BODY=8BITMIME` when the message has 8-bit octets and the server
//!   announces `8BITMIME`, and `SMTPUTF8` when an address or the header
//!   is UTF-8 (an error when the server does not offer it). The `RCPT`s
//!   and `DATA` are pipelined when the server announces `PIPELINING`.
//! - The message is read from stdin and sent after `DATA`, dot-stuffed by
//!   the library's encoder, bare CR or LF written as CRLF; a line over
//!   998 octets is an error (it is not wrapped). `--bdat` sends it in one
//!   `BDAT … LAST` chunk instead when the server announces `CHUNKING`
//!   (the octets as they are: give CRLF line ends).
//! - One line per recipient on stdout (`accepted`/`rejected` with the
//!   reply), then the server's answer to the message. Exit code 0 when
//!   every recipient and the message were accepted, 1 otherwise, 2 on a
//!   usage error.

#[path = "support/mod.rs"]
mod support;

use std::io::{self, Read};
use std::process::exit;
use std::time::Duration;

use mailwire::sasl;
use mailwire::smtp::encode::{DataOptions, LongLines};
use mailwire::smtp::session::{Client, ClientConfig, ClientEvent};
use mailwire::smtp::types::{
    Body, Command, ForwardPath, Host, MailParams, Mailbox, Reply, ReversePath,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use support::args::Args;
use support::smtp_client::{password_mechanism, show};

const USAGE: &str = "\
usage: smtp-send --server HOST:PORT --from ADDR --to ADDR [--to ADDR]...
                 [--auth USER:PASS] [--starttls [--ca FILE | --insecure]]
                 [--hostname NAME] [--bdat] [--timeout SECS] < message.eml

Sends the message on stdin. --from '' or '<>' gives the null reverse-path.
Exit code 0 when every recipient and the message were accepted, 1 otherwise,
2 on a usage error.";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What was asked, checked.
struct Job {
    server: String,
    from: ReversePath<'static>,
    to: Vec<ForwardPath<'static>>,
    auth: Option<(String, String)>,
    starttls: bool,
    insecure: bool,
    ca: Option<String>,
    hostname: Host<'static>,
    bdat: bool,
    wait: Duration,
    message: Vec<u8>,
}

fn main() {
    let args = Args::parse(
        USAGE,
        &["server", "from", "to", "auth", "ca", "hostname", "timeout"],
        &["starttls", "insecure", "bdat"],
    );
    let job = job(&args);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: {e}");
            exit(1)
        });
    match runtime.block_on(send(job)) {
        Ok(true) => exit(0),
        Ok(false) => exit(1),
        Err(e) => {
            eprintln!("error: {e}");
            exit(1)
        }
    }
}

/// Reads the flags and the message; a usage error exits with code 2.
fn job(args: &Args) -> Job {
    let path = |text: &str| {
        text.trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_owned()
    };
    let mailbox = |text: &str| -> Mailbox<'static> {
        let text = path(text);
        match Mailbox::parse(&text) {
            Ok(m) => m.into_owned(),
            Err(e) => args.fail(&format!("{text:?} is not an address: {e}")),
        }
    };
    let from = args.required("from");
    let from = if path(from).is_empty() {
        ReversePath::Null
    } else {
        ReversePath::Mailbox(mailbox(from))
    };
    let to: Vec<ForwardPath<'static>> = args
        .all("to")
        .iter()
        .map(|t| ForwardPath::Mailbox(mailbox(t)))
        .collect();
    if to.is_empty() {
        args.fail("--to is required");
    }
    let hostname = args.get("hostname").unwrap_or("localhost").to_owned();
    let hostname = Host::parse(&hostname)
        .map(Host::into_owned)
        .unwrap_or_else(|_| args.fail("--hostname is not a host name"));
    if (args.flag("insecure") || args.get("ca").is_some()) && !args.flag("starttls") {
        args.fail("--insecure and --ca go with --starttls");
    }
    let mut message = Vec::new();
    if let Err(e) = io::stdin().read_to_end(&mut message) {
        eprintln!("error: reading the message from stdin: {e}");
        exit(1);
    }
    Job {
        server: args.required("server").to_owned(),
        from,
        to,
        auth: args.credentials("auth"),
        starttls: args.flag("starttls"),
        insecure: args.flag("insecure"),
        ca: args.get("ca").map(str::to_owned),
        hostname,
        bdat: args.flag("bdat"),
        wait: Duration::from_secs(args.parsed("timeout", 60u64)),
        message,
    }
}

/// The next event, reading from the server as needed; queued bytes are
/// written first.
async fn next_event<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    client: &mut Client,
    wait: Duration,
) -> Result<ClientEvent, BoxError> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        while let Some(bytes) = client.poll_transmit() {
            io.write_all(&bytes).await?;
        }
        io.flush().await?;
        if let Some(event) = client.poll_event() {
            return Ok(event);
        }
        let n = timeout(wait, io.read(&mut buf))
            .await
            .map_err(|_| "timed out waiting for the server")??;
        if n == 0 {
            return Err("the server closed the connection".into());
        }
        client.handle_input(buf.get(..n).unwrap_or_default());
    }
}

/// Waits for the reply to the command `verb` and checks it is positive.
async fn expect<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    client: &mut Client,
    wait: Duration,
    verb: &str,
) -> Result<Reply<'static>, BoxError> {
    loop {
        match next_event(io, client, wait).await? {
            ClientEvent::Greeting(reply) if verb == "greeting" => {
                return positive(verb, reply);
            }
            ClientEvent::Reply { command, reply } if command.verb() == verb => {
                return positive(verb, reply);
            }
            ClientEvent::Error(e) => return Err(e.into()),
            ClientEvent::Unsolicited(reply) => {
                return Err(format!("the server said {}", show(&reply)).into());
            }
            _ => {}
        }
    }
}

fn positive(what: &str, reply: Reply<'static>) -> Result<Reply<'static>, BoxError> {
    if reply.code().get() / 100 == 2 || reply.code().get() == 334 {
        Ok(reply)
    } else {
        Err(format!("{what} refused: {}", show(&reply)).into())
    }
}

/// Connects and runs the whole session. `Ok(true)` when every recipient
/// and the message were accepted.
async fn send(job: Job) -> Result<bool, BoxError> {
    let mut config = ClientConfig::new(job.hostname.clone());
    config.require_tls = job.starttls;
    let mut options = DataOptions::default();
    options.long_lines = LongLines::Refuse;
    config.data_options = options;
    let mut client = Client::new(config);
    let mut tcp = timeout(job.wait, TcpStream::connect(&job.server))
        .await
        .map_err(|_| "timed out connecting")??;
    let _ = tcp.set_nodelay(true);
    expect(&mut tcp, &mut client, job.wait, "greeting").await?;
    client.hello()?;
    expect(&mut tcp, &mut client, job.wait, "EHLO").await?;
    if !job.starttls {
        return transaction(&mut tcp, &mut client, &job).await;
    }
    client.send(Command::StartTls)?;
    loop {
        match next_event(&mut tcp, &mut client, job.wait).await? {
            ClientEvent::StartTls { leftover } => {
                if !leftover.is_empty() {
                    eprintln!(
                        "warning: {} octets after the server's 220 discarded",
                        leftover.len()
                    );
                }
                break;
            }
            ClientEvent::Error(e) => return Err(e.into()),
            ClientEvent::Reply { reply, .. } if reply.code().get() != 220 => {
                return Err(format!("STARTTLS refused: {}", show(&reply)).into());
            }
            _ => {}
        }
    }
    let config = support::tls::client_config(job.insecure, job.ca.as_deref())?;
    let name = support::tls::server_name(&job.server)?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let mut tls = timeout(job.wait, connector.connect(name, tcp))
        .await
        .map_err(|_| "timed out in the TLS handshake")??;
    client.tls_established();
    client.hello()?;
    expect(&mut tls, &mut client, job.wait, "EHLO").await?;
    transaction(&mut tls, &mut client, &job).await
}

/// AUTH, then MAIL, the RCPTs and the message, then QUIT.
async fn transaction<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut S,
    client: &mut Client,
    job: &Job,
) -> Result<bool, BoxError> {
    let caps = client
        .capabilities()
        .cloned()
        .ok_or("the server gave no EHLO capabilities")?;
    if let Some((user, pass)) = &job.auth {
        let mechanism = password_mechanism(&caps, user, pass)?;
        client.authenticate(sasl::Client::new(mechanism)?)?;
        let reply = expect(io, client, job.wait, "AUTH").await?;
        eprintln!("authenticated: {}", show(&reply));
    }

    let message = &job.message;
    let eight_bit = message.iter().any(|&b| b >= 0x80);
    let utf8_addresses = matches!(&job.from, ReversePath::Mailbox(m) if !m.is_ascii())
        || job
            .to
            .iter()
            .any(|t| matches!(t, ForwardPath::Mailbox(m) if !m.is_ascii()));
    let utf8_header = {
        let end = header_end(message);
        message
            .get(..end)
            .unwrap_or_default()
            .iter()
            .any(|&b| b >= 0x80)
    };
    let mut params = MailParams::default();
    if caps.contains("SIZE") {
        let bare = bare_line_ends(message);
        params.size = Some((message.len() + bare) as u64);
        if let Some(max) = caps.max_size().filter(|&m| m > 0)
            && (message.len() as u64) > max
        {
            return Err(format!("the message is over the server's SIZE {max}").into());
        }
    }
    if eight_bit {
        if caps.contains("8BITMIME") {
            params.body = Some(Body::EightBitMime);
        } else {
            eprintln!("warning: 8-bit message to a server without 8BITMIME");
        }
    }
    if utf8_addresses || utf8_header {
        if !caps.contains("SMTPUTF8") {
            return Err("the message needs SMTPUTF8 and the server does not offer it".into());
        }
        params.smtputf8 = true;
    }
    let bdat = job.bdat && caps.contains("CHUNKING");
    if job.bdat && !bdat {
        eprintln!("warning: the server does not offer CHUNKING; using DATA");
    }

    client.send(Command::Mail {
        from: job.from.clone(),
        params,
        source_route: false,
    })?;
    for to in &job.to {
        client.send(Command::Rcpt {
            to: to.clone(),
            params: Default::default(),
            source_route: false,
        })?;
    }
    if bdat {
        client.send_bdat(message.clone(), true)?;
    } else {
        client.send(Command::Data)?;
        client.send_data(message)?;
        client.end_data()?;
    }

    let mut all_ok = true;
    let mut recipients_done = false;
    let mut data_refused = false;
    loop {
        if recipients_done && data_refused {
            break;
        }
        match next_event(io, client, job.wait).await? {
            ClientEvent::Reply { command, reply } => match command {
                Command::Mail { .. } if reply.code().get() / 100 != 2 => {
                    println!("MAIL FROM refused: {}", show(&reply));
                    all_ok = false;
                }
                Command::Data if reply.code().get() != 354 => {
                    println!("DATA refused: {}", show(&reply));
                    all_ok = false;
                    data_refused = true;
                }
                _ => {}
            },
            ClientEvent::RecipientResults { accepted, rejected } => {
                for to in &accepted {
                    println!("{to}: accepted");
                }
                for (to, reply) in &rejected {
                    println!("{to}: rejected {}", show(reply));
                }
                all_ok &= rejected.is_empty() && !accepted.is_empty();
                recipients_done = true;
            }
            ClientEvent::DataResult { reply, recipients } => {
                let ok = reply.code().get() / 100 == 2;
                println!(
                    "message: {} {} ({} recipients)",
                    if ok { "accepted" } else { "refused" },
                    show(&reply),
                    recipients.len()
                );
                all_ok &= ok;
                break;
            }
            ClientEvent::Error(e) => return Err(e.into()),
            _ => {}
        }
    }

    client.send(Command::Quit)?;
    // The connection ends either way; a server that closes without its
    // 221 changes nothing for the message.
    if let Err(e) = expect(io, client, job.wait, "QUIT").await {
        eprintln!("warning: QUIT: {e}");
    }
    let _ = io.shutdown().await;
    Ok(all_ok)
}

/// Where the header ends: the offset of the first empty line, or the
/// whole message.
fn header_end(message: &[u8]) -> usize {
    message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| message.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(message.len())
}

/// CR or LF octets not part of a CRLF: each becomes two octets on the
/// wire.
fn bare_line_ends(message: &[u8]) -> usize {
    let mut count = 0;
    let mut prev = 0u8;
    let mut iter = message.iter().peekable();
    while let Some(&b) = iter.next() {
        let next = iter.peek().copied().copied();
        if (b == b'\n' && prev != b'\r') || (b == b'\r' && next != Some(b'\n')) {
            count += 1;
        }
        prev = b;
    }
    count
}
