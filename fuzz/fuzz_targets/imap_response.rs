#![no_main]
//! Decodes arbitrary bytes as IMAP server responses and checks properties:
//! no panic; every decoded response re-encodes to bytes that decode to the
//! same value; the streaming decoder cuts the same responses (and reports
//! the same errors) however the input is split, and agrees with the
//! stateless decoder.

use libfuzzer_sys::fuzz_target;
use mailwire_imap::Limits;
use mailwire_imap::decode::{self, DecodeError, Decoded, ResponseDecoder};
use mailwire_imap::encode::Encode;
use mailwire_imap::types::Response;

/// What a stream decodes to: each response's bytes and its decoding (as
/// re-encoded bytes), or the error; and what is left buffered.
type Outcome = (
    Vec<Result<(usize, Vec<u8>, Result<Vec<u8>, DecodeError>), DecodeError>>,
    Vec<u8>,
);

fn stream(data: &[u8], chunk: usize, limits: Limits) -> Outcome {
    let mut d = ResponseDecoder::new(limits);
    let mut out = Vec::new();
    for c in data.chunks(chunk.max(1)) {
        d.push(c);
        while let Some(r) = d.next_frame() {
            out.push(r.map(|f| {
                let decoded = f.decode().map(|r| r.to_bytes());
                (f.offset(), f.as_bytes().to_vec(), decoded)
            }));
        }
    }
    (out, d.buffered().to_vec())
}

/// Checks that `r`, decoded under `limits`, re-encodes to bytes that decode
/// to the same value under the same list and depth limits (the encoding
/// may be longer: wider line and size limits).
fn round_trip(r: &Response<'_>, limits: &Limits) {
    let mut wide = Limits::default();
    wide.list_items = limits.list_items;
    wide.nesting_depth = limits.nesting_depth;
    let wire = r.to_bytes();
    let (back, used) = decode::response(&wire, &wide)
        .expect("an encoded response decodes")
        .complete()
        .expect("an encoded response is complete");
    assert_eq!(used, wire.len());
    assert_eq!(&back, r);
}

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    limits.line_length = 256;
    limits.literal_size = 64;
    limits.message_size = 1024;
    limits.nesting_depth = 8;
    limits.list_items = 32;

    // Stateless: every response decoded round-trips.
    if let Ok(Decoded::Complete { value, consumed }) = decode::response(data, &limits) {
        assert!(consumed <= data.len());
        round_trip(&value, &limits);
    }

    // Streaming: the same for any chunking.
    let whole = stream(data, data.len(), limits);
    for chunk in [1, 2, 3, 7, 13, 64] {
        assert_eq!(stream(data, chunk, limits), whole, "chunk {chunk}");
    }

    // The first frame is what the stateless decoder reads.
    if let Some(Ok((offset, bytes, decoded))) = whole.0.first() {
        assert_eq!(*offset, 0);
        match decode::response(data, &limits) {
            Ok(Decoded::Complete { value, consumed }) => {
                assert_eq!(consumed, bytes.len());
                assert_eq!(decoded.as_ref().ok(), Some(&value.to_bytes()));
            }
            Err(e) => assert_eq!(decoded.as_ref().err().map(|d| d.offset), Some(e.offset)),
            Ok(Decoded::Incomplete) => panic!("a framed response is complete"),
        }
    }

    // Every response the stream decoded round-trips.
    for (_, bytes, decoded) in whole.0.iter().flatten() {
        if decoded.is_ok() {
            let (r, _) = decode::response(bytes, &limits)
                .unwrap()
                .complete()
                .unwrap();
            round_trip(&r, &limits);
        }
    }
});
