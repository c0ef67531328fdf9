//! Decodes a captured byte stream of one side of a mail session.
//!
//! ```sh
//! cargo run --example trace -- PROTOCOL SIDE < FILE
//! ```
//!
//! `PROTOCOL` is `smtp`, `pop3` or `imap`; `SIDE` is the sender of the bytes,
//! `client` or `server`. One JSON object per line is printed for each decoded
//! message, with its byte `offset` in the stream. Bytes that do not decode
//! give an object with `"error"` (the reason) and `"offset"`, after which
//! decoding resynchronises and goes on. The input is fed to the streaming
//! decoders in small chunks, as a socket would deliver it.
//!
//! Exit status: 0 when everything decoded, 1 when anything failed to decode,
//! 2 for a usage error.

use std::io::{Read, Write};
use std::process::ExitCode;

use serde_json::{Map, Value, json};

mod imap;
mod pop3;
mod smtp;

/// Who sent the bytes being decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Client,
    Server,
}

/// Size of the chunks the input is fed in.
pub(crate) const CHUNK: usize = 4096;

/// Collects the JSON lines and counts decoding failures.
pub(crate) struct Out<W: Write> {
    writer: W,
    errors: usize,
}

impl<W: Write> Out<W> {
    /// A decoded message of kind `kind` starting at `offset`, with `fields`.
    pub(crate) fn message(&mut self, offset: usize, kind: &str, fields: Value) {
        let mut obj = Map::new();
        obj.insert("offset".into(), json!(offset));
        obj.insert("type".into(), json!(kind));
        if let Value::Object(fields) = fields {
            obj.extend(fields);
        }
        self.line(Value::Object(obj));
    }

    /// Bytes at `offset` that did not decode, and why.
    pub(crate) fn error(&mut self, offset: usize, reason: impl std::fmt::Display) {
        self.errors += 1;
        self.line(json!({ "offset": offset, "error": reason.to_string() }));
    }

    fn line(&mut self, value: Value) {
        // A closed stdout (say, piped into `head`) ends the output quietly.
        let _ = writeln!(self.writer, "{value}");
    }
}

/// Bytes as a JSON string: UTF-8 where valid, U+FFFD elsewhere.
pub(crate) fn text(bytes: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(bytes).into_owned())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (protocol, side) = match args.as_slice() {
        [p, s] => (p.as_str(), s.as_str()),
        _ => return usage("expected two arguments"),
    };
    let side = match side {
        "client" => Side::Client,
        "server" => Side::Server,
        other => return usage(&format!("unknown side {other:?}")),
    };
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut input) {
        eprintln!("trace: reading stdin: {e}");
        return ExitCode::from(2);
    }
    let stdout = std::io::stdout();
    let mut out = Out {
        writer: std::io::BufWriter::new(stdout.lock()),
        errors: 0,
    };
    let result = match protocol {
        "smtp" => smtp::trace(side, &input, &mut out),
        "pop3" => pop3::trace(side, &input, &mut out),
        "imap" => imap::trace(side, &input, &mut out),
        other => return usage(&format!("unknown protocol {other:?}")),
    };
    let _ = out.writer.flush();
    match result {
        Err(unsupported) => {
            eprintln!("trace: {unsupported}");
            ExitCode::from(2)
        }
        Ok(()) if out.errors > 0 => ExitCode::FAILURE,
        Ok(()) => ExitCode::SUCCESS,
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("trace: {problem}\nusage: trace smtp|pop3|imap client|server < FILE");
    ExitCode::from(2)
}
