//! IMAP in the `trace` example.

use std::io::Write;

use mailwire::imap::Limits;
use mailwire::imap::decode::{DecodeError, GreetingDecoder, ResponseDecoder};
use mailwire::imap::encode::Encode;
use mailwire::imap::types::{
    Capability, Code, Data, FetchItem, Flag, GreetingKind, ListData, Response, StatusItem,
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
        Side::Client => Err("imap client: command decoding is not available yet".into()),
    }
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
