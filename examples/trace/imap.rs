//! IMAP in the `trace` example.

use std::io::Write;

use mailwire::imap::Limits;
use mailwire::imap::decode::GreetingDecoder;
use mailwire::imap::encode::Encode;
use mailwire::imap::types::{Capability, Code, GreetingKind};
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

/// The greeting: `{"type":"greeting","status":"OK","code":{…},"text":"…"}`,
/// then one error entry if responses follow, which are not decoded yet.
fn server<W: Write>(input: &[u8], out: &mut Out<W>) {
    let mut decoder = GreetingDecoder::new(Limits::default());
    for chunk in input.chunks(CHUNK) {
        decoder.push(chunk);
        while !decoder.is_done() {
            let offset = decoder.offset();
            match decoder.next_greeting() {
                None => break,
                Some(Ok(greeting)) => {
                    let status = match greeting.kind() {
                        GreetingKind::Ok => "OK",
                        GreetingKind::PreAuth => "PREAUTH",
                        GreetingKind::Bye => "BYE",
                    };
                    out.message(
                        offset,
                        "greeting",
                        json!({
                            "status": status,
                            "code": greeting.code().map(code),
                            "text": text(greeting.text().as_bytes()),
                        }),
                    );
                }
                Some(Err(e)) => out.error(e.offset, &e.kind),
            }
        }
    }
    if !decoder.buffered().is_empty() {
        let reason = if decoder.is_done() {
            "response decoding is not available yet"
        } else {
            "stream ends inside the greeting"
        };
        out.error(decoder.offset(), reason);
    }
}

/// A response code as JSON: `{"name":"CAPABILITY","capabilities":[…]}` or
/// `{"name":"…","text":"…"}`.
fn code(code: &Code<'_>) -> Value {
    match code {
        Code::Capability(list) => {
            let caps: Vec<Value> = list.iter().map(capability).collect();
            json!({ "name": "CAPABILITY", "capabilities": caps })
        }
        Code::Other(other) => json!({
            "name": other.name().as_str(),
            "text": other.text().map(|t| text(t.as_bytes())),
        }),
        other => json!({ "name": text(&other.to_bytes()) }),
    }
}

fn capability(c: &Capability<'_>) -> Value {
    text(&c.to_bytes())
}
