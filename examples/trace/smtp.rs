//! SMTP in the `trace` example.

use std::io::Write;

use mailwire::smtp::{
    Limits,
    decode::{CommandDecoder, ReplyDecoder},
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
/// Temporary approach until the crate has a DATA body decoder and a
/// session: without the server's replies, the trace assumes every `DATA`
/// was answered `354` and skips to the first `<CRLF>.<CRLF>`, skips exactly
/// the announced size after `BDAT`, reads lines after `AUTH` as SASL
/// responses until one decodes as a known command, and after `STARTTLS`
/// counts the rest as the TLS stream.
enum Mode {
    Commands,
    /// Inside a DATA body: where it started, its length so far, and how
    /// much of `CRLF . CRLF` was matched (the body starts at a line start,
    /// as if after a CRLF).
    Data {
        start: usize,
        bytes: usize,
        matched: usize,
    },
    /// Inside a BDAT chunk: where it started and how many octets are left.
    Bdat {
        start: usize,
        left: u64,
        size: u64,
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
                    bytes,
                    matched,
                } => {
                    let (used, done) = scan_end_of_data(decoder.buffered(), matched);
                    let _ = decoder.take(used);
                    *bytes += used;
                    if !done {
                        break;
                    }
                    out.message(*start, "data", json!({ "bytes": *bytes }));
                    mode = Mode::Commands;
                    decoder.resume();
                }
                Mode::Bdat { start, left, size } => {
                    let want = usize::try_from(*left).unwrap_or(usize::MAX);
                    let got = decoder.take(want).len();
                    *left -= got as u64;
                    if *left > 0 {
                        break;
                    }
                    out.message(*start, "bdat-chunk", json!({ "bytes": *size }));
                    mode = Mode::Commands;
                    decoder.resume();
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
                        bytes: 0,
                        matched: 2,
                    }
                }
                Some(Stop::Bdat { size, .. }) => {
                    mode = Mode::Bdat {
                        start,
                        left: size,
                        size,
                    };
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

/// Scans `buf` for the end of a DATA body, `CRLF . CRLF`, carrying how much
/// of it was matched at the end of the previous chunk. Returns the bytes
/// that belong to the body (its terminator included) and whether it ended.
fn scan_end_of_data(buf: &[u8], matched: &mut usize) -> (usize, bool) {
    const END: &[u8] = b"\r\n.\r\n";
    for (i, &b) in buf.iter().enumerate() {
        *matched = if END.get(*matched) == Some(&b) {
            *matched + 1
        } else if b == b'\r' {
            1
        } else {
            0
        };
        if *matched == END.len() {
            return (i + 1, true);
        }
    }
    (buf.len(), false)
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
