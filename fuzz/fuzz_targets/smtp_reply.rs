#![no_main]
//! SMTP replies: decoding never panics, gives the same result however the
//! input is split, and every decoded reply encodes back to itself.

use libfuzzer_sys::fuzz_target;
use mailwire_smtp::Limits;
use mailwire_smtp::decode::{self, DecodeError, ReplyDecoder};
use mailwire_smtp::encode::Encode;
use mailwire_smtp::types::Reply;

fn stream(input: &[u8], chunk: usize, limits: Limits) -> Vec<Result<Reply<'static>, DecodeError>> {
    let mut decoder = ReplyDecoder::new(limits);
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        decoder.push(piece);
        while let Some(r) = decoder.next_reply() {
            out.push(r);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let mut limits = Limits::default();
    // Small limits now and then, to reach the limit paths with short inputs.
    if control & 0x80 != 0 {
        limits.reply_line = 8 + usize::from(control & 0x1f);
        limits.reply_lines = 1 + usize::from(control & 0x07);
    }
    let chunk = usize::from(control & 0x3f) + 1;
    let whole = stream(input, input.len(), limits);
    assert_eq!(stream(input, chunk, limits), whole, "split at {chunk}");
    for reply in whole.into_iter().flatten() {
        let bytes = reply.to_bytes();
        let mut wide = limits;
        wide.reply_line = usize::MAX;
        wide.reply_lines = usize::MAX;
        let (again, used) = decode::reply(&bytes, &wide)
            .expect("an encoded reply decodes")
            .complete()
            .expect("an encoded reply is complete");
        assert_eq!(used, bytes.len());
        assert_eq!(again, reply);
    }
});
