//! SMTP in the `trace` example.

use std::io::Write;

use mailwire::smtp::{
    Limits,
    decode::{BdatChunk, CommandDecoder, DataChunk, DataDecoder, ReplyDecoder},
    encode::Encode,
    types::{Command, ForwardPath, InitialResponse, ReversePath, Stop},
};
use serde_json::{Value, json};

use crate::{CHUNK, Out, Side, text};

/// Decodes `input` as sent by `side`.
pub(crate) fn trace<W: Write>(side: Side, input: &[u8], out: &mut Out<W>) -> Result<(), String> {
    match side {
        Side::Server => {
            replies(input, out);
            Ok(())
        }
        Side::Client => {
            commands(input, out);
            Ok(())
        }
    }
}

/// Server replies: `{"type":"reply","code":250,"enhanced":"2.0.0","lines":[…]}`.
fn replies<W: Write>(input: &[u8], out: &mut Out<W>) {
    let mut decoder = ReplyDecoder::new(Limits::default());
    let drain = |decoder: &mut ReplyDecoder, out: &mut Out<W>| loop {
        let offset = decoder.offset();
        match decoder.next_reply() {
            None => break,
            Some(Ok(reply)) => {
                let lines: Vec<_> = reply.lines().map(|l| text(l.as_bytes())).collect();
                out.message(
                    offset,
                    "reply",
                    json!({
                        "code": reply.code().get(),
                        "enhanced": reply.enhanced().map(|e| e.to_string()),
                        "lines": lines,
                    }),
                );
            }
            Some(Err(e)) => out.error(e.offset, &e.kind),
        }
    };
    for chunk in input.chunks(CHUNK) {
        decoder.push(chunk);
        drain(&mut decoder, out);
    }
    if !decoder.buffered().is_empty() {
        out.error(decoder.offset(), "stream ends inside a reply");
    }
}

/// What the client stream holds after a command that stops command mode.
///
/// Without the server's replies, the trace assumes every `DATA` was
/// answered `354` and reads the message with the DATA decoder (only
/// `<CRLF>.<CRLF>` ends it), reads exactly the announced size after `BDAT`,
/// reads lines after `AUTH` as SASL responses until one decodes as a known
/// command, and after `STARTTLS` counts the rest as the TLS stream.
enum Mode {
    Commands,
    /// Inside a DATA body: where it started.
    Data {
        start: usize,
        decoder: Box<DataDecoder>,
    },
    /// Inside a BDAT chunk: where it started.
    Bdat {
        start: usize,
        chunk: BdatChunk,
    },
    /// Everything after STARTTLS.
    Tls {
        start: usize,
        bytes: usize,
    },
}

/// Client commands: `{"type":"command","verb":"MAIL","args":"FROM:<a@b> SIZE=10", …}`.
/// SASL data (AUTH initial responses and the responses that follow) is
/// printed as `"<redacted>"`.
fn commands<W: Write>(input: &[u8], out: &mut Out<W>) {
    let mut decoder = CommandDecoder::new(Limits::default());
    let mut mode = Mode::Commands;
    let mut in_auth = false;
    for chunk in input.chunks(CHUNK) {
        decoder.push(chunk);
        loop {
            match &mut mode {
                Mode::Commands => {}
                Mode::Data {
                    start,
                    decoder: data,
                } => {
                    let Some(piece) = decoder.next_data(data) else {
                        break;
                    };
                    let DataChunk::End(end) = piece else {
                        continue;
                    };
                    out.message(
                        *start,
                        "data",
                        json!({
                            "bytes": decoder.offset() - *start,
                            "size": end.size,
                            "accepted": end.is_accepted(),
                            "refusal": end.refusal.map(|r| format!("{r:?}")),
                        }),
                    );
                    mode = Mode::Commands;
                }
                Mode::Bdat { start, chunk } => {
                    while decoder.next_bdat(chunk).is_some() {}
                    if !chunk.is_complete() {
                        break;
                    }
                    out.message(
                        *start,
                        "bdat-chunk",
                        json!({ "bytes": chunk.size(), "last": chunk.is_last() }),
                    );
                    mode = Mode::Commands;
                }
                Mode::Tls { bytes, .. } => {
                    *bytes += decoder.take_buffered().len();
                    break;
                }
            }
            let offset = decoder.offset();
            let Some(result) = decoder.next_command() else {
                break;
            };
            let cmd = match result {
                Ok(cmd) => cmd,
                Err(e) => {
                    out.error(e.offset, &e.kind);
                    continue;
                }
            };
            if in_auth {
                if let Command::Unknown { args: None, .. } = &cmd {
                    out.message(offset, "auth-response", json!({ "data": "<redacted>" }));
                    continue;
                }
                in_auth = false;
            }
            out.message(offset, "command", describe(&cmd));
            let start = decoder.offset();
            match cmd.stop() {
                None => {}
                Some(Stop::Data) => {
                    mode = Mode::Data {
                        start,
                        decoder: Box::new(DataDecoder::new(Limits::default())),
                    }
                }
                Some(stop @ Stop::Bdat { .. }) => {
                    if let Some(chunk) = BdatChunk::from_stop(stop) {
                        mode = Mode::Bdat { start, chunk };
                    }
                }
                Some(Stop::Auth) => {
                    in_auth = true;
                    decoder.resume();
                }
                Some(Stop::StartTls) => mode = Mode::Tls { start, bytes: 0 },
                Some(_) => decoder.resume(),
            }
        }
    }
    match mode {
        Mode::Commands if !decoder.buffered().is_empty() => {
            out.error(decoder.offset(), "stream ends inside a command");
        }
        Mode::Commands => {}
        Mode::Data { start, .. } => out.error(start, "stream ends inside a DATA body"),
        Mode::Bdat { start, .. } => out.error(start, "stream ends inside a BDAT chunk"),
        Mode::Tls { start, bytes } => {
            if bytes > 0 {
                out.message(start, "tls", json!({ "bytes": bytes }));
            }
        }
    }
}

/// A command as JSON: its verb, its arguments as they would be sent (SASL
/// data redacted), and the paths of MAIL and RCPT.
fn describe(cmd: &Command<'_>) -> Value {
    let mut fields = json!({ "verb": cmd.verb() });
    let args = match cmd {
        Command::Auth {
            mechanism,
            initial_response,
        } => Some(json!(match initial_response {
            None => mechanism.as_str().to_owned(),
            Some(InitialResponse::Empty) => format!("{} =", mechanism.as_str()),
            Some(_) => format!("{} <redacted>", mechanism.as_str()),
        })),
        _ => {
            let line = cmd.to_bytes();
            let args = line
                .get(cmd.verb().len()..line.len().saturating_sub(2))
                .unwrap_or_default();
            args.strip_prefix(b" ").map(text)
        }
    };
    if let (Some(args), Value::Object(map)) = (args, &mut fields) {
        map.insert("args".into(), args);
    }
    let path = match cmd {
        Command::Mail {
            from, source_route, ..
        } => Some((
            "from",
            match from {
                ReversePath::Null => String::new(),
                ReversePath::Mailbox(m) => m.to_string(),
            },
            *source_route,
        )),
        Command::Rcpt {
            to, source_route, ..
        } => Some((
            "to",
            match to {
                ForwardPath::Postmaster => "Postmaster".to_owned(),
                ForwardPath::Mailbox(m) => m.to_string(),
            },
            *source_route,
        )),
        _ => None,
    };
    if let (Some((key, path, route)), Value::Object(map)) = (path, &mut fields) {
        map.insert(key.into(), json!(path));
        if route {
            map.insert("source_route".into(), json!(true));
        }
    }
    fields
}
