//! Property tests for SMTP replies: `decode(encode(x)) == x`, and the same
//! result however the byte stream is split into chunks.

use mailwire_smtp::Limits;
use mailwire_smtp::decode::{self, DecodeError, ReplyDecoder};
use mailwire_smtp::encode::Encode;
use mailwire_smtp::types::{EnhancedStatusCode, Reply, ReplyCode, ReplyText};
use proptest::prelude::*;

fn code() -> impl Strategy<Value = ReplyCode> {
    (2u16..=5, 0u16..=5, 0u16..=9)
        .prop_map(|(a, b, c)| ReplyCode::new(a * 100 + b * 10 + c).unwrap())
}

/// Any bytes a reply line may carry: everything but CR, LF and NUL, with
/// UTF-8 and controls included, short enough for the default line limit.
fn text() -> impl Strategy<Value = ReplyText<'static>> {
    prop::collection::vec(
        any::<u8>().prop_filter("line break", |b| !matches!(b, b'\r' | b'\n' | 0)),
        0..120,
    )
    .prop_map(|v| ReplyText::new(v).unwrap())
}

fn reply() -> impl Strategy<Value = Reply<'static>> {
    (
        code(),
        text(),
        prop::collection::vec(text(), 0..6),
        any::<bool>(),
        0u16..1000,
        0u16..1000,
    )
        .prop_map(|(code, first, rest, esc, subject, detail)| {
            let reply = Reply::from_lines(code, first, rest);
            let class = u8::try_from(code.get() / 100).unwrap();
            match EnhancedStatusCode::new(class, subject, detail) {
                Some(e) if esc => reply.with_enhanced(e).unwrap(),
                _ => reply,
            }
        })
}

fn stream(input: &[u8], chunks: &[usize]) -> Vec<Result<Reply<'static>, DecodeError>> {
    let mut decoder = ReplyDecoder::new(Limits::default());
    let mut out = Vec::new();
    let mut rest = input;
    let mut sizes = chunks.iter().cycle();
    while !rest.is_empty() {
        let n = (*sizes.next().unwrap_or(&1)).clamp(1, rest.len());
        decoder.push(&rest[..n]);
        rest = &rest[n..];
        while let Some(r) = decoder.next_reply() {
            out.push(r);
        }
    }
    out
}

proptest! {
    #[test]
    fn decode_encode_roundtrip(r in reply()) {
        let bytes = r.to_bytes();
        let (decoded, used) = decode::reply(&bytes, &Limits::default()).unwrap().complete().unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(&decoded, &r);
        if let Some(esc) = r.enhanced() {
            prop_assert_eq!(decoded.enhanced(), Some(esc));
        }
    }

    #[test]
    fn any_split_gives_the_same_replies(
        replies in prop::collection::vec(reply(), 1..8),
        chunks in prop::collection::vec(1usize..64, 1..16),
    ) {
        let bytes: Vec<u8> = replies.iter().flat_map(Encode::to_bytes).collect();
        let got = stream(&bytes, &chunks);
        let want: Vec<_> = replies.into_iter().map(Ok).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn arbitrary_bytes_split_invariant(
        bytes in prop::collection::vec(
            prop_oneof![
                Just(b'\r'), Just(b'\n'), Just(b'-'), Just(b' '), Just(b'2'), Just(b'5'),
                Just(b'0'), Just(b'.'), any::<u8>()
            ],
            0..400,
        ),
        chunks in prop::collection::vec(1usize..32, 1..8),
    ) {
        let whole = stream(&bytes, &[bytes.len().max(1)]);
        prop_assert_eq!(stream(&bytes, &chunks), whole);
    }

    #[test]
    fn limits_hold_for_any_input(bytes in prop::collection::vec(any::<u8>(), 0..2000), limit in 5usize..64) {
        let mut limits = Limits::default();
        limits.reply_line = limit;
        let mut decoder = ReplyDecoder::new(limits);
        decoder.push(&bytes);
        while let Some(r) = decoder.next_reply() {
            if let Ok(reply) = r {
                for line in reply.lines() {
                    prop_assert!(line.as_bytes().len() + 4 <= limit);
                }
            }
        }
        prop_assert!(decoder.buffered().len() < limit * limits.reply_lines);
    }
}
