#![no_main]
//! POP3 commands and SASL lines: decoding never panics, the streaming decoder
//! gives the same results as the stateless functions over the whole input
//! however the input is split, and every decoded value encodes back to
//! itself.
//!
//! The first byte of the input steers the run: its low six bits give the
//! chunk size, bit 6 reads every line as a SASL line instead of a command,
//! and bit 7 narrows the limits so the limit paths are reached with short
//! inputs.

use libfuzzer_sys::fuzz_target;
use mailwire_pop3::Limits;
use mailwire_pop3::decode::{self, CommandDecoder, DecodeError, Decoded};
use mailwire_pop3::encode::Encode;
use mailwire_pop3::types::{Command, SaslResponse};

/// One decoded value of either kind.
#[derive(Debug, PartialEq)]
enum Value {
    Command(Command<'static>),
    Sasl(SaslResponse<'static>),
}

/// The streaming decoder, fed `chunk` bytes at a time.
fn streaming(
    input: &[u8],
    chunk: usize,
    sasl: bool,
    limits: Limits,
) -> Vec<Result<Value, DecodeError>> {
    let mut decoder = CommandDecoder::new(limits);
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        decoder.push(piece);
        loop {
            let next = if sasl {
                decoder.next_sasl_response().map(|r| r.map(Value::Sasl))
            } else {
                decoder.next_command().map(|r| r.map(Value::Command))
            };
            match next {
                Some(r) => out.push(r),
                None => break,
            }
        }
    }
    out
}

/// The stateless functions over the whole input, resynchronising after an
/// error as it says.
fn whole(input: &[u8], sasl: bool, limits: Limits) -> Vec<Result<Value, DecodeError>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(rest) = input.get(pos..).filter(|r| !r.is_empty()) {
        let start = pos;
        let result = if sasl {
            decode::sasl_response(rest, &limits).map(|d| match d {
                Decoded::Complete { value, consumed } => Decoded::Complete {
                    value: Value::Sasl(value.into_owned()),
                    consumed,
                },
                Decoded::Incomplete => Decoded::Incomplete,
            })
        } else {
            decode::command(rest, &limits).map(|d| match d {
                Decoded::Complete { value, consumed } => Decoded::Complete {
                    value: Value::Command(value.into_owned()),
                    consumed,
                },
                Decoded::Incomplete => Decoded::Incomplete,
            })
        };
        match result {
            Ok(Decoded::Incomplete) => break,
            Ok(Decoded::Complete { value, consumed }) => {
                assert!(consumed > 0 && consumed <= rest.len());
                out.push(Ok(value));
                pos += consumed;
            }
            Err(mut e) => {
                assert!((e.discard > 0 || e.until_line_end) && e.discard <= rest.len());
                assert!(e.offset < rest.len());
                pos += e.discard;
                if e.until_line_end {
                    pos = input
                        .get(pos..)
                        .and_then(|r| r.iter().position(|&b| b == b'\n'))
                        .map_or(input.len(), |i| pos + i + 1);
                }
                e.offset += start;
                out.push(Err(e));
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let mut limits = Limits::default();
    if control & 0x80 != 0 {
        limits.command_line = usize::from(control & 0x1f);
        limits.argument = usize::from(control & 0x07);
        limits.sasl_line = usize::from(control & 0x1f);
    }
    let sasl = control & 0x40 != 0;
    let chunk = usize::from(control & 0x3f) + 1;
    let reference = whole(input, sasl, limits);
    assert_eq!(
        streaming(input, chunk, sasl, limits),
        reference,
        "split at {chunk}"
    );
    assert_eq!(
        streaming(input, input.len(), sasl, limits),
        reference,
        "in one piece"
    );

    let mut wide = limits;
    wide.command_line = usize::MAX;
    wide.argument = usize::MAX;
    wide.sasl_line = usize::MAX;
    for value in reference.into_iter().flatten() {
        match value {
            Value::Command(cmd) => {
                let bytes = cmd.to_bytes();
                let (again, used) = decode::command(&bytes, &wide)
                    .expect("an encoded command decodes")
                    .complete()
                    .expect("an encoded command is complete");
                assert_eq!(used, bytes.len());
                assert_eq!(again, cmd);
            }
            Value::Sasl(r) => {
                let bytes = r.to_bytes();
                let (again, used) = decode::sasl_response(&bytes, &wide)
                    .expect("an encoded SASL line decodes")
                    .complete()
                    .expect("an encoded SASL line is complete");
                assert_eq!(used, bytes.len());
                assert_eq!(again, r);
            }
        }
    }
});
