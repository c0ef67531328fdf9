//! IMAP in the `trace` example.

use std::io::Write;

use mailwire::imap::Limits;
use mailwire::imap::decode::{
    self, CommandDecoder, CommandEvent, CommandFrame, DecodeError, Decoded, GreetingDecoder,
    ResponseDecoder,
};
use mailwire::imap::encode::Encode;
use mailwire::imap::types::{
    AppendKind, AuthenticateData, Capability, ClientMessage, Code, Command, CommandBody, Data,
    Expect, FetchItem, Flag, GreetingKind, ListData, LiteralMode, Response, StatusItem,
};
use serde_json::{Value, json};

use crate::{CHUNK, Out, Side, text};

/// Decodes `input` as sent by `side`.
pub(crate) fn trace<W: Write>(side: Side, input: &[u8], out: &mut Out<W>) -> Result<(), String> {
    match side {
        Side::Server => {
            server(input, out);
            Ok(())
        }
        Side::Client => {
            client(input, out);
            Ok(())
        }
    }
}

/// The client's stream: one entry per command
/// (`{"type":"command","tag":"A1","command":"UID FETCH","args":"…"}`),
/// per synchronizing literal announced (`{"type":"literal","length":n}`,
/// where the server's `+` was awaited), per `AUTHENTICATE` line (redacted:
/// `{"type":"authenticate-data","length":n}` or `"cancel":true`) and per
/// `DONE`, with errors and their offsets in between.
///
/// The server's replies are not in the stream, so the session is
/// followed by what the client sends: lines after an `AUTHENTICATE`
/// without an initial response are SASL data until a line reads as a
/// tagged command; after `IDLE` the next line is `DONE` (or, if the server
/// refused `IDLE`, a command). Non-synchronizing literals of any size are
/// accepted, as if the server had advertised `LITERAL+`.
fn client<W: Write>(input: &[u8], out: &mut Out<W>) {
    let limits = Limits::default();
    // Every line is framed as a command could be (a base64 line or `DONE`
    // frames the same), so that a command with literals that ends an
    // exchange is framed whole; what a line is read as is decided here.
    let mut decoder = CommandDecoder::new(limits);
    decoder.set_literal_mode(LiteralMode::Plus);
    let mut expect = Expect::Command;
    for chunk in input.chunks(CHUNK) {
        decoder.push(chunk);
        while let Some(event) = decoder.next_frame() {
            match event {
                Ok(CommandEvent::NeedsContinuation {
                    literal_len,
                    offset,
                }) => out.message(offset, "literal", json!({ "length": literal_len })),
                Ok(CommandEvent::Frame(frame)) => {
                    expect = client_message(&frame, expect, &limits, out);
                }
                Ok(_) => {}
                Err(e) => error(out, &e),
            }
        }
    }
    if !decoder.buffered().is_empty() {
        out.error(decoder.offset(), "stream ends inside a command");
    }
}

/// Reports one message of the client's stream, read as `expect` says, and
/// gives what the next line is expected to be.
fn client_message<W: Write>(
    frame: &CommandFrame,
    expect: Expect,
    limits: &Limits,
    out: &mut Out<W>,
) -> Expect {
    let offset = frame.offset();
    let bytes = frame.as_bytes();
    // A line that reads as a command ends an exchange: the server
    // answered the AUTHENTICATE or refused the IDLE. Anything else is what
    // the exchange expects.
    let message = match (frame.decode_command(), expect) {
        (Ok(cmd), _) => Ok(ClientMessage::Command(cmd)),
        (Err(e), Expect::Command) => Err(e),
        (Err(e), Expect::AuthenticateData) => match decode::authenticate_data(bytes, limits) {
            Ok(Decoded::Complete { value, .. }) => Ok(ClientMessage::AuthenticateData(value)),
            Ok(Decoded::Incomplete) => Err(e),
            Err(e) => Err(shifted(e, offset)),
        },
        (Err(e), Expect::IdleDone) => match decode::idle_done(bytes, limits) {
            Ok(Decoded::Complete { .. }) => Ok(ClientMessage::Done),
            Ok(Decoded::Incomplete) => Err(e),
            Err(e) => Err(shifted(e, offset)),
        },
    };
    match message {
        Ok(ClientMessage::Command(cmd)) => {
            out.message(offset, "command", command(&cmd));
            match cmd.body {
                CommandBody::Authenticate { initial: None, .. } => Expect::AuthenticateData,
                CommandBody::Idle => Expect::IdleDone,
                _ => Expect::Command,
            }
        }
        Ok(ClientMessage::AuthenticateData(AuthenticateData::Response(data))) => {
            out.message(
                offset,
                "authenticate-data",
                json!({ "length": data.as_bytes().len() }),
            );
            expect
        }
        Ok(ClientMessage::AuthenticateData(AuthenticateData::Cancel)) => {
            out.message(offset, "authenticate-data", json!({ "cancel": true }));
            Expect::Command
        }
        Ok(ClientMessage::Done) => {
            out.message(offset, "done", json!({}));
            Expect::Command
        }
        Err(e) => {
            error(out, &e);
            expect
        }
    }
}

/// An error of a stateless decoder run on a message that starts `offset`
/// bytes into the stream.
fn shifted(mut e: DecodeError, offset: usize) -> DecodeError {
    e.offset += offset;
    e
}

/// Longest argument text shown for a command.
const ARGS_MAX: usize = 512;

/// A command as JSON: its tag and name, and its arguments as written on
/// the wire (secrets redacted, message contents summarised).
fn command(cmd: &Command<'_>) -> Value {
    let wire = cmd.to_bytes();
    // "tag SP [UID SP] NAME [SP args] CRLF"
    let line = wire.strip_suffix(b"\r\n").unwrap_or(&wire);
    let mut words = line.splitn(3, |&b| b == b' ');
    let _tag = words.next();
    let mut name = words.next().unwrap_or_default().to_vec();
    let mut rest = words.next().unwrap_or_default();
    if name == b"UID" {
        let mut more = rest.splitn(2, |&b| b == b' ');
        name.extend_from_slice(b" ");
        name.extend_from_slice(more.next().unwrap_or_default());
        rest = more.next().unwrap_or_default();
    }
    let mut fields = json!({ "tag": cmd.tag.as_str(), "command": text(&name) });
    let extra = match &cmd.body {
        CommandBody::Login { username, .. } => {
            json!({ "username": text(username), "password": "[redacted]" })
        }
        CommandBody::Authenticate { mechanism, initial } => json!({
            "mechanism": mechanism.as_str(),
            "initial_response": initial.as_ref().map(|i| i.as_bytes().len()),
        }),
        CommandBody::Append {
            mailbox,
            flags: f,
            date,
            message,
        } => json!({
            "mailbox": text(mailbox.as_bytes()),
            "flags": flags(f),
            "date": date.map(|d| d.to_string()),
            "size": message.data.len(),
            "binary": message.kind != AppendKind::Literal,
        }),
        _ if rest.is_empty() => json!({}),
        _ => {
            let shown = &rest[..rest.len().min(ARGS_MAX)];
            if shown.len() < rest.len() {
                json!({ "args": text(shown), "truncated": true })
            } else {
                json!({ "args": text(shown) })
            }
        }
    };
    if let (Value::Object(fields), Value::Object(extra)) = (&mut fields, extra) {
        fields.extend(extra);
    }
    fields
}

/// The server's stream: the greeting
/// (`{"type":"greeting","status":"OK","code":{…},"text":"…"}`), then one
/// entry per response, with errors and their offsets in between.
fn server<W: Write>(input: &[u8], out: &mut Out<W>) {
    let limits = Limits::default();
    let mut greeting = GreetingDecoder::new(limits);
    let mut responses: Option<ResponseDecoder> = None;
    for chunk in input.chunks(CHUNK) {
        match responses.as_mut() {
            Some(decoder) => decoder.push(chunk),
            None => {
                greeting.push(chunk);
                while !greeting.is_done() {
                    let offset = greeting.offset();
                    match greeting.next_greeting() {
                        None => break,
                        Some(Ok(g)) => {
                            let status = match g.kind() {
                                GreetingKind::Ok => "OK",
                                GreetingKind::PreAuth => "PREAUTH",
                                GreetingKind::Bye => "BYE",
                            };
                            out.message(
                                offset,
                                "greeting",
                                json!({
                                    "status": status,
                                    "code": g.code().map(code),
                                    "text": text(g.text().as_bytes()),
                                }),
                            );
                        }
                        Some(Err(e)) => error(out, &e),
                    }
                }
                if greeting.is_done() {
                    let offset = greeting.offset();
                    let rest = greeting.take_buffered();
                    let mut decoder = ResponseDecoder::with_offset(limits, offset);
                    decoder.push(&rest);
                    responses = Some(decoder);
                }
            }
        }
        if let Some(decoder) = responses.as_mut() {
            drain(decoder, out);
        }
    }
    match &responses {
        None if !greeting.buffered().is_empty() => {
            out.error(greeting.offset(), "stream ends inside the greeting");
        }
        Some(d) if !d.buffered().is_empty() => {
            out.error(d.offset(), "stream ends inside a response");
        }
        _ => {}
    }
}

fn error<W: Write>(out: &mut Out<W>, e: &DecodeError) {
    out.error(e.offset, &e.kind);
}

/// Every complete response the decoder holds.
fn drain<W: Write>(decoder: &mut ResponseDecoder, out: &mut Out<W>) {
    while let Some(frame) = decoder.next_frame() {
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                error(out, &e);
                continue;
            }
        };
        match frame.decode() {
            Ok(r) => {
                let (kind, fields) = summary(&r);
                out.message(frame.offset(), kind, fields);
            }
            Err(e) => error(out, &e),
        }
    }
}

/// A compact summary of a response: its kind, tag, and the names of what
/// it carries.
fn summary(r: &Response<'_>) -> (&'static str, Value) {
    match r {
        Response::Status(s) => (
            "status",
            json!({
                "tag": s.tag().map(|t| t.as_str()),
                "status": s.kind().as_str(),
                "code": s.code().map(code),
                "text": text(s.text().as_bytes()),
            }),
        ),
        Response::Continuation(c) => (
            "continuation",
            json!({ "code": c.code().map(code), "text": text(c.text().as_bytes()) }),
        ),
        Response::Data(d) => ("data", data(d)),
        other => ("response", json!({ "wire": text(&other.to_bytes()) })),
    }
}

fn data(d: &Data<'_>) -> Value {
    match d {
        Data::Capability(caps) => {
            json!({ "name": "CAPABILITY", "capabilities": capabilities(caps) })
        }
        Data::Enabled(caps) => json!({ "name": "ENABLED", "capabilities": capabilities(caps) }),
        Data::Flags(f) => json!({ "name": "FLAGS", "flags": flags(f) }),
        Data::List(l) => list("LIST", l),
        Data::Lsub(l) => list("LSUB", l),
        Data::Status { mailbox, items } => json!({
            "name": "STATUS",
            "mailbox": text(mailbox.as_bytes()),
            "items": items.iter().map(status_item).collect::<Vec<_>>(),
        }),
        Data::Search { numbers, modseq } => {
            json!({ "name": "SEARCH", "count": numbers.len(), "modseq": modseq })
        }
        Data::Sort { numbers, modseq } => {
            json!({ "name": "SORT", "count": numbers.len(), "modseq": modseq })
        }
        Data::ESearch(e) => json!({ "name": "ESEARCH", "uid": e.uid, "items": e.items.len() }),
        Data::Thread(t) => json!({ "name": "THREAD", "threads": t.len() }),
        Data::Exists(n) => json!({ "name": "EXISTS", "number": n }),
        Data::Recent(n) => json!({ "name": "RECENT", "number": n }),
        Data::Expunge(n) => json!({ "name": "EXPUNGE", "number": n }),
        Data::Vanished { earlier, uids } => json!({
            "name": "VANISHED",
            "earlier": earlier,
            "uids": text(&uids.to_bytes()),
        }),
        Data::Fetch { seq, items } => json!({
            "name": "FETCH",
            "seq": seq,
            "items": items.iter().map(item_name).collect::<Vec<_>>(),
            // Items kept as raw "other" values: unknown to the grammar, or
            // known but not readable as their type (a malformed ENVELOPE).
            "other_items": items
                .iter()
                .filter_map(|i| match i {
                    FetchItem::Other(o) => Some(Value::String(o.name().to_owned())),
                    _ => None,
                })
                .collect::<Vec<_>>(),
        }),
        Data::Other(o) => json!({ "name": o.name().as_str(), "raw": text(o.raw()) }),
        other => {
            // The name is the response's first word.
            let wire = other.to_bytes();
            let name = wire
                .get(2..)
                .unwrap_or_default()
                .split(|&b| b == b' ' || b == b'\r')
                .next()
                .unwrap_or_default();
            json!({ "name": text(name) })
        }
    }
}

fn list(name: &str, l: &ListData<'_>) -> Value {
    json!({
        "name": name,
        "mailbox": text(l.mailbox.as_bytes()),
        "delimiter": l.delimiter.map(String::from),
        "attributes": l.attributes.iter().map(|a| text(&a.to_bytes())).collect::<Vec<_>>(),
    })
}

fn status_item(i: &StatusItem<'_>) -> Value {
    let name = match i {
        StatusItem::Messages(_) => "MESSAGES",
        StatusItem::UidNext(_) => "UIDNEXT",
        StatusItem::UidValidity(_) => "UIDVALIDITY",
        StatusItem::Unseen(_) => "UNSEEN",
        StatusItem::Deleted(_) => "DELETED",
        StatusItem::Recent(_) => "RECENT",
        StatusItem::Size(_) => "SIZE",
        StatusItem::HighestModSeq(_) => "HIGHESTMODSEQ",
        StatusItem::AppendLimit(_) => "APPENDLIMIT",
        StatusItem::MailboxId(_) => "MAILBOXID",
        StatusItem::Other(o) => o.name(),
        _ => "?",
    };
    Value::String(name.to_owned())
}

/// The name of a FETCH item as sent: `UID`, `BODY[1.HEADER]<0>`, ….
fn item_name(i: &FetchItem<'_>) -> Value {
    let name = match i {
        FetchItem::Flags(_) => "FLAGS".to_owned(),
        FetchItem::Uid(_) => "UID".to_owned(),
        FetchItem::InternalDate(_) => "INTERNALDATE".to_owned(),
        FetchItem::Rfc822Size(_) => "RFC822.SIZE".to_owned(),
        FetchItem::Envelope(_) => "ENVELOPE".to_owned(),
        FetchItem::Body(_) => "BODY".to_owned(),
        FetchItem::BodyStructure(_) => "BODYSTRUCTURE".to_owned(),
        FetchItem::BodySection {
            section, origin, ..
        } => format!(
            "BODY{}{}",
            String::from_utf8_lossy(&section.to_bytes()),
            origin.map(|o| format!("<{o}>")).unwrap_or_default()
        ),
        FetchItem::Binary { section, .. } => format!("BINARY[{}]", part(section)),
        FetchItem::BinarySize { section, .. } => format!("BINARY.SIZE[{}]", part(section)),
        FetchItem::Rfc822(_) => "RFC822".to_owned(),
        FetchItem::Rfc822Header(_) => "RFC822.HEADER".to_owned(),
        FetchItem::Rfc822Text(_) => "RFC822.TEXT".to_owned(),
        FetchItem::ModSeq(_) => "MODSEQ".to_owned(),
        FetchItem::EmailId(_) => "EMAILID".to_owned(),
        FetchItem::ThreadId(_) => "THREADID".to_owned(),
        FetchItem::Preview(_) => "PREVIEW".to_owned(),
        FetchItem::GmMsgId(_) => "X-GM-MSGID".to_owned(),
        FetchItem::GmThrId(_) => "X-GM-THRID".to_owned(),
        FetchItem::GmLabels(_) => "X-GM-LABELS".to_owned(),
        FetchItem::Other(o) => o.name().to_owned(),
        other => String::from_utf8_lossy(&other.to_bytes()).into_owned(),
    };
    Value::String(name)
}

fn part(numbers: &[u32]) -> String {
    numbers
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn flags(f: &[Flag<'_>]) -> Vec<Value> {
    f.iter().map(|f| text(&f.to_bytes())).collect()
}

fn capabilities(caps: &[Capability<'_>]) -> Vec<Value> {
    caps.iter().map(capability).collect()
}

/// A response code as JSON: `{"name":"CAPABILITY","capabilities":[…]}`,
/// `{"name":"…","text":"…"}` for codes kept as sent, or its name and
/// arguments as written.
fn code(code: &Code<'_>) -> Value {
    match code {
        Code::Capability(list) => {
            json!({ "name": "CAPABILITY", "capabilities": capabilities(list) })
        }
        Code::Other(other) => json!({
            "name": other.name().as_str(),
            "text": other.text().map(|t| text(t.as_bytes())),
        }),
        other => {
            let wire = other.to_bytes();
            let mut parts = wire.splitn(2, |&b| b == b' ');
            let name = parts.next().unwrap_or_default();
            match parts.next() {
                Some(args) => json!({ "name": text(name), "text": text(args) }),
                None => json!({ "name": text(name) }),
            }
        }
    }
}

fn capability(c: &Capability<'_>) -> Value {
    text(&c.to_bytes())
}
