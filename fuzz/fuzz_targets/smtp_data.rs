#![no_main]
//! SMTP message data: the DATA decoder gives the same body, end and
//! consumed count however its input is split (whole, fixed chunks, and
//! through the command decoder's `Bytes` path), and the DATA encoder's
//! output of any body decodes back to the normalised body with exactly one
//! end, at the very end.

use libfuzzer_sys::fuzz_target;
use mailwire_smtp::decode::{CommandDecoder, DataChunk, DataDecoder, DataEnd};
use mailwire_smtp::encode::{DataEncoder, DataOptions, LongLines};
use mailwire_smtp::types::Command;
use mailwire_smtp::{BareLineEnd, Limits, NulByte};

type Outcome = (Vec<u8>, Option<DataEnd>, usize);

fn chunked(input: &[u8], chunk: usize, limits: Limits) -> Outcome {
    let mut d = DataDecoder::new(limits);
    let mut body = Vec::new();
    let mut from = 0;
    for piece in input.chunks(chunk.max(1)) {
        if let Some((end, used)) = d.decode_into(piece, |b| body.extend_from_slice(b)) {
            return (body, Some(end), from + used);
        }
        from += piece.len();
    }
    (body, None, input.len())
}

fn through_commands(input: &[u8], chunk: usize, limits: Limits) -> Outcome {
    let mut c = CommandDecoder::new(limits);
    c.push(b"DATA\r\n");
    assert_eq!(c.next_command(), Some(Ok(Command::Data)));
    let mut d = DataDecoder::new(limits);
    let mut body = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        c.push(piece);
        while let Some(event) = c.next_data(&mut d) {
            match event {
                DataChunk::Body(b) => body.extend_from_slice(&b),
                DataChunk::End(end) => return (body, Some(end), c.offset() - 6),
            }
        }
    }
    (body, None, input.len())
}

fn normalised(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        match (body[i], body.get(i + 1)) {
            (b'\r', Some(b'\n')) => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            (b'\r' | b'\n', _) => out.extend_from_slice(b"\r\n"),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let mut limits = Limits::default();
    let policy = [
        BareLineEnd::Reject,
        BareLineEnd::Keep,
        BareLineEnd::Normalise,
    ];
    limits.data_policy.bare_cr = policy[usize::from(control % 3)];
    limits.data_policy.bare_lf = policy[usize::from((control / 3) % 3)];
    limits.data_policy.nul =
        [NulByte::Reject, NulByte::Keep, NulByte::Strip][usize::from((control / 9) % 3)];
    if control & 0x80 != 0 {
        limits.data_line = usize::from(control & 0x3f) * 20;
        limits.message_size = u64::from(control & 0x7f) * 8;
    }
    let chunk = usize::from(control & 0x1f) + 1;

    // Split invariance.
    let whole = chunked(input, input.len(), limits);
    assert_eq!(chunked(input, chunk, limits), whole, "chunk {chunk}");
    assert_eq!(chunked(input, 1, limits), whole, "byte by byte");
    assert_eq!(through_commands(input, chunk, limits), whole, "Bytes path");
    assert!(whole.0.len() as u64 <= limits.message_size);
    if let Some(end) = &whole.1 {
        // The end is `<CRLF>.<CRLF>` or `.<CRLF>` as the first line.
        let used = &input[..whole.2];
        assert!(used == b".\r\n" || used.ends_with(b"\r\n.\r\n"));
        assert!(end.size >= whole.0.len() as u64);
    }

    // Round trip through the encoder, the input taken as a body.
    let mut options = DataOptions::default();
    options.long_lines = LongLines::Allow;
    let mut encoder = DataEncoder::new(options);
    let mut wire = Vec::new();
    for piece in input.chunks(chunk) {
        encoder.push(piece, &mut wire).unwrap();
    }
    encoder.finish(&mut wire).unwrap();
    let mut wide = Limits::default();
    wide.data_line = usize::MAX;
    wide.message_size = u64::MAX;
    wide.data_policy.nul = NulByte::Keep;
    let (body, end, used) = chunked(&wire, chunk, wide);
    assert_eq!(used, wire.len(), "one end, at the very end");
    let end = end.expect("the encoding ends the data");
    assert!(end.is_accepted());
    assert_eq!(body, normalised(input));
});
