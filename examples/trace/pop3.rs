//! POP3 in the `trace` example.
//!
//! The client side is decoded as commands. The server side is decoded as
//! responses, each in the context of the command it answers, since POP3's
//! syntax does not say whether a `+OK` starts a multi-line response:
//!
//! - with `TRACE_POP3_COMMANDS=FILE` (the client's byte stream of the same
//!   session), each response is read as its command asks (`RETR` gives a
//!   message, `LIST` a scan listing, `CAPA` capabilities...), and each SASL
//!   challenge takes one SASL line from the client's stream;
//! - without it, the first line is the greeting, and a `+OK` line is read
//!   as the start of a multi-line response (its lines printed as a message
//!   body) exactly when the line after it does not start with `+OK`, `-ERR`
//!   or `+ `. A multi-line body whose first line starts that way is misread.
//!   Lines `+ …` are read as SASL challenges.

use std::io::Write;

use mailwire::pop3::Limits;
use mailwire::pop3::decode::{
    self as decode, CommandDecoder, Decoded, Event, Expect, ResponseDecoder,
};
use mailwire::pop3::types::{Capability, Command, CommandKind, Expiry, Response, SaslResponse};
use serde_json::{Map, Value, json};

use crate::{CHUNK, Out, Side, text};

/// The environment variable naming the client's byte stream.
const COMMANDS_VAR: &str = "TRACE_POP3_COMMANDS";

/// Decodes `input` as sent by `side`.
pub(crate) fn trace<W: Write>(side: Side, input: &[u8], out: &mut Out<W>) -> Result<(), String> {
    match side {
        Side::Client => {
            commands(input, out);
            Ok(())
        }
        Side::Server => {
            let client = match std::env::var_os(COMMANDS_VAR) {
                Some(path) => Some(std::fs::read(&path).map_err(|e| {
                    format!(
                        "{COMMANDS_VAR}={}: {e}",
                        std::path::Path::new(&path).display()
                    )
                })?),
                None => None,
            };
            responses(input, client.as_deref(), out);
            Ok(())
        }
    }
}

/// Where the expectation for the next response comes from.
enum Context {
    /// The client's commands, decoded as they are needed.
    Commands(CommandDecoder),
    /// The line after each `+OK`.
    Heuristic,
}

impl Context {
    /// The expectation for the response at `offset` of the server's
    /// `input`, or `None` when the client sent nothing more.
    fn next(&mut self, input: &[u8], offset: usize) -> Option<Expect> {
        match self {
            Self::Commands(client) => loop {
                match client.next_command()? {
                    Ok(cmd) => return Some(Expect::for_command(&cmd)),
                    // A command the server refused as well: skip it.
                    Err(_) => continue,
                }
            },
            Self::Heuristic => {
                let rest = input.get(offset..)?;
                let end = rest.iter().position(|&b| b == b'\n')? + 1;
                if rest.starts_with(b"+ ") || rest.starts_with(b"+\r\n") || rest.starts_with(b"+\n")
                {
                    return Some(Expect::Auth);
                }
                let next = rest.get(end..).unwrap_or_default();
                let status = |p: &[u8]| {
                    next.get(..p.len())
                        .is_some_and(|n| n.eq_ignore_ascii_case(p))
                };
                let single = next.is_empty()
                    || status(b"+OK")
                    || status(b"-ERR")
                    || status(b"+ ")
                    || next.starts_with(b"+\r\n")
                    || next.starts_with(b"+\n");
                Some(if single {
                    Expect::Single
                } else {
                    Expect::Message
                })
            }
        }
    }

    /// A SASL challenge was read: the client answers with one SASL line.
    fn challenged(&mut self) {
        if let Self::Commands(client) = self {
            let _ = client.next_sasl_response();
        }
    }
}

/// The fields of a status line: status, response code and text.
fn status(r: &Response<'_>) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("status".into(), json!(r.status().as_str()));
    if let Some(code) = r.code() {
        map.insert("code".into(), text(code.as_bytes()));
    }
    map.insert("text".into(), text(r.text().as_bytes()));
    map
}

/// A capability as `{"capability":"SASL","args":["PLAIN"]}`.
fn capability(c: &Capability<'_>) -> Value {
    let user = |yes: bool| if yes { vec![json!("USER")] } else { Vec::new() };
    let (name, args): (Value, Vec<Value>) = match c {
        Capability::Top => (json!("TOP"), vec![]),
        Capability::User => (json!("USER"), vec![]),
        Capability::Sasl(m) => (json!("SASL"), m.iter().map(|m| json!(m.as_str())).collect()),
        Capability::RespCodes => (json!("RESP-CODES"), vec![]),
        Capability::LoginDelay { seconds, per_user } => {
            let mut a = vec![json!(seconds.to_string())];
            a.extend(user(*per_user));
            (json!("LOGIN-DELAY"), a)
        }
        Capability::Pipelining => (json!("PIPELINING"), vec![]),
        Capability::Expire { expiry, per_user } => {
            let mut a = vec![match expiry {
                Expiry::Days(d) => json!(d.to_string()),
                Expiry::Never => json!("NEVER"),
            }];
            a.extend(user(*per_user));
            (json!("EXPIRE"), a)
        }
        Capability::Uidl => (json!("UIDL"), vec![]),
        Capability::Implementation(t) => (json!("IMPLEMENTATION"), vec![text(t.as_bytes())]),
        Capability::Stls => (json!("STLS"), vec![]),
        Capability::Utf8 { user: u } => (json!("UTF8"), user(*u)),
        Capability::Lang => (json!("LANG"), vec![]),
        Capability::Other(o) => (
            text(o.tag().as_bytes()),
            o.params().iter().map(|p| text(p.as_bytes())).collect(),
        ),
        _ => (json!("?"), vec![]),
    };
    json!({ "capability": name, "args": args })
}

/// Server responses, one object per event:
/// `{"type":"greeting","status":"+OK","text":"…","timestamp":"<…>"}`,
/// `{"type":"response","status":"-ERR","code":"IN-USE","text":"…"}`,
/// `{"type":"challenge","data":"…"}`, `{"type":"multiline", …status…,
/// "context":"message"}`, then its lines (`capability`, `scan` with `msg`
/// and `size`, `uid` with `msg` and `uid`, `language`, `mechanism`, or one
/// `body` with the message's `octets`), then `{"type":"end"}`.
fn responses<W: Write>(input: &[u8], client: Option<&[u8]>, out: &mut Out<W>) {
    let mut context = match client {
        Some(bytes) => {
            let mut decoder = CommandDecoder::new(Limits::default());
            decoder.push(bytes);
            Context::Commands(decoder)
        }
        None => Context::Heuristic,
    };
    let mut decoder = ResponseDecoder::new(Limits::default());
    // Octets of the message being read, and where it started.
    let mut body: Option<(usize, usize)> = None;
    for chunk in input.chunks(CHUNK) {
        decoder.push(chunk);
        loop {
            let offset = decoder.offset();
            if !decoder.in_body()
                && decoder.pending().len() == 0
                && let Some(expect) = context.next(input, offset)
            {
                decoder.expect(expect);
            }
            let Some(event) = decoder.next_event() else {
                break;
            };
            let event = match event {
                Ok(event) => event,
                Err(e) => {
                    body = None;
                    out.error(e.offset, &e.kind);
                    continue;
                }
            };
            match event {
                Event::Greeting(g) => {
                    let mut fields = status(g.response());
                    if let Some(ts) = g.timestamp() {
                        fields.insert("timestamp".into(), text(ts));
                    }
                    out.message(offset, "greeting", Value::Object(fields));
                }
                Event::Response(r) => out.message(offset, "response", Value::Object(status(&r))),
                Event::Challenge(c) => {
                    context.challenged();
                    out.message(
                        offset,
                        "challenge",
                        json!({ "data": text(c.data().as_bytes()) }),
                    );
                }
                Event::Begin { response, expect } => {
                    let mut fields = status(&response);
                    let kind = match expect {
                        Expect::Capa => "capabilities",
                        Expect::Scan => "scan listing",
                        Expect::UniqueIds => "unique-id listing",
                        Expect::Languages => "language listing",
                        Expect::Mechanisms => "mechanisms",
                        _ => "message",
                    };
                    fields.insert("context".into(), json!(kind));
                    out.message(offset, "multiline", Value::Object(fields));
                }
                Event::Capability(c) => out.message(offset, "capability", capability(&c)),
                Event::Scan(s) => out.message(
                    offset,
                    "scan",
                    json!({ "msg": s.msg.get(), "size": s.size }),
                ),
                Event::UniqueId(u) => out.message(
                    offset,
                    "uid",
                    json!({ "msg": u.msg.get(), "uid": u.uid.as_str() }),
                ),
                Event::Language(l) => out.message(
                    offset,
                    "language",
                    json!({
                        "tag": text(l.tag.as_bytes()),
                        "description": text(l.description.as_bytes()),
                    }),
                ),
                Event::Mechanism(m) => {
                    out.message(offset, "mechanism", json!({ "name": m.as_str() }));
                }
                Event::Chunk(bytes) => {
                    let (_, size) = body.get_or_insert((offset, 0));
                    *size += bytes.len();
                }
                Event::End => {
                    if let Some((start, octets)) = body.take() {
                        out.message(start, "body", json!({ "octets": octets }));
                    }
                    out.message(offset, "end", json!({}));
                }
                _ => {}
            }
        }
    }
    if !decoder.buffered().is_empty() || decoder.in_body() {
        out.error(decoder.offset(), "stream ends inside a response");
    }
}

/// Client commands: `{"type":"command","command":"RETR","args":["1"]}`.
/// Passwords and SASL data are printed as `"<redacted>"`. After `AUTH`
/// with a mechanism, lines are read as SASL responses
/// (`{"type":"auth-response","data":"<redacted>"}`) until one decodes as a
/// known command or the client cancels with `*`.
fn commands<W: Write>(input: &[u8], out: &mut Out<W>) {
    let limits = Limits::default();
    let mut decoder = CommandDecoder::new(limits);
    let mut in_auth = false;
    let mut drain = |decoder: &mut CommandDecoder, out: &mut Out<W>| loop {
        let offset = decoder.offset();
        if in_auth {
            let line = decoder.buffered();
            let Some(end) = line.iter().position(|&b| b == b'\n') else {
                break;
            };
            let known = matches!(
                decode::command(&line[..=end], &limits),
                Ok(Decoded::Complete { value, .. }) if value.kind() != CommandKind::Unknown
            );
            if !known {
                match decoder.next_sasl_response() {
                    None => break,
                    Some(Ok(r)) => {
                        in_auth = r != SaslResponse::Cancel;
                        out.message(offset, "auth-response", json!({ "data": "<redacted>" }));
                    }
                    Some(Err(e)) => out.error(e.offset, &e.kind),
                }
                continue;
            }
            in_auth = false;
        }
        match decoder.next_command() {
            None => break,
            Some(Ok(cmd)) => {
                in_auth = matches!(cmd, Command::Auth { .. });
                out.message(
                    offset,
                    "command",
                    json!({
                        "command": text(cmd.keyword()),
                        "args": args(&cmd),
                    }),
                )
            }
            Some(Err(e)) => out.error(e.offset, &e.kind),
        }
    };
    for chunk in input.chunks(CHUNK) {
        decoder.push(chunk);
        drain(&mut decoder, out);
    }
    if !decoder.buffered().is_empty() {
        out.error(decoder.offset(), "stream ends inside a command");
    }
}

/// A command's arguments as JSON strings, secrets redacted.
fn args(cmd: &Command<'_>) -> Vec<Value> {
    let redacted = || json!("<redacted>");
    let number = |n: u32| json!(n.to_string());
    match cmd {
        Command::User(name) => vec![text(name.as_bytes())],
        Command::Pass(_) => vec![redacted()],
        Command::Apop { name, digest } => vec![text(name.as_bytes()), json!(digest.to_string())],
        Command::Auth {
            mechanism,
            initial_response,
        } => {
            let mut v = vec![json!(mechanism.as_str())];
            if initial_response.is_some() {
                v.push(redacted());
            }
            v
        }
        Command::List(msg) | Command::Uidl(msg) => msg.iter().map(|m| number(m.get())).collect(),
        Command::Retr(msg) | Command::Dele(msg) => vec![number(msg.get())],
        Command::Top { msg, lines } => vec![number(msg.get()), number(*lines)],
        Command::Lang(range) => range.iter().map(|r| text(r.as_bytes())).collect(),
        Command::Unknown { args, .. } => args.iter().map(|a| text(a.as_bytes())).collect(),
        _ => Vec::new(),
    }
}
