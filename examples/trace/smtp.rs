//! SMTP in the `trace` example.

use std::io::Write;

use mailwire::smtp::{Limits, decode::ReplyDecoder};
use serde_json::json;

use crate::{CHUNK, Out, Side, text};

/// Decodes `input` as sent by `side`.
pub(crate) fn trace<W: Write>(side: Side, input: &[u8], out: &mut Out<W>) -> Result<(), String> {
    match side {
        Side::Server => {
            replies(input, out);
            Ok(())
        }
        Side::Client => Err("smtp client: command decoding is not available yet".into()),
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
