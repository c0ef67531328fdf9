//! POP3 in the `trace` example.

use std::io::Write;

use mailwire::pop3::{Limits, decode::CommandDecoder, types::Command};
use serde_json::{Value, json};

use crate::{CHUNK, Out, Side, text};

/// Decodes `input` as sent by `side`.
pub(crate) fn trace<W: Write>(side: Side, input: &[u8], out: &mut Out<W>) -> Result<(), String> {
    match side {
        Side::Client => {
            commands(input, out);
            Ok(())
        }
        Side::Server => Err("pop3 server: response decoding is not available yet".into()),
    }
}

/// Client commands: `{"type":"command","command":"RETR","args":["1"]}`.
/// Passwords and SASL data are printed as `"<redacted>"`.
fn commands<W: Write>(input: &[u8], out: &mut Out<W>) {
    let mut decoder = CommandDecoder::new(Limits::default());
    let drain = |decoder: &mut CommandDecoder, out: &mut Out<W>| loop {
        let offset = decoder.offset();
        match decoder.next_command() {
            None => break,
            Some(Ok(cmd)) => out.message(
                offset,
                "command",
                json!({
                    "command": text(cmd.keyword()),
                    "args": args(&cmd),
                }),
            ),
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
