//! IMAP codec throughput.
//!
//! `imap/fetch-uid-flags`: a server's answer to `FETCH 1:* (UID FLAGS)`,
//! 10 000 lines `* n FETCH (UID n FLAGS (\Seen))`. Every implementation
//! decodes every response down to its UID and flags.
//!
//! Each implementation is one function from the input to the number of
//! responses it decoded. imap-proto and imap-codec (the newest release,
//! 2.0.0-alpha) are measured in the same run on the same input; every
//! implementation's UIDs are checked equal before timing.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire::imap::Limits;
use mailwire::imap::decode::{self, ResponseDecoder};
use mailwire::imap::types::{Data, FetchItem, Response};

const LINES: usize = 10_000;

fn fetch_uid_flags() -> Vec<u8> {
    (1..=LINES)
        .flat_map(|n| format!("* {n} FETCH (UID {} FLAGS (\\Seen))\r\n", n + 4000).into_bytes())
        .collect()
}

/// Reads the UID and the flags of a FETCH response.
fn consume(r: &Response<'_>) {
    if let Response::Data(Data::Fetch { seq, items }) = r {
        black_box(seq);
        for item in items {
            match item {
                FetchItem::Uid(uid) => {
                    black_box(uid);
                }
                FetchItem::Flags(flags) => {
                    black_box(flags.len());
                }
                other => {
                    black_box(other);
                }
            }
        }
    }
}

/// `decode::response` on the whole input, one response after the other.
fn mailwire_stateless(input: &[u8], limits: &Limits) -> usize {
    let mut rest = input;
    let mut count = 0;
    while !rest.is_empty() {
        let (r, used) = decode::response(rest, limits).unwrap().complete().unwrap();
        consume(&r);
        rest = &rest[used..];
        count += 1;
    }
    count
}

/// imap-proto's `parse_response`, one response after the other.
fn imap_proto(input: &[u8]) -> usize {
    use imap_proto::types::{AttributeValue, Response};
    let mut rest = input;
    let mut count = 0;
    while !rest.is_empty() {
        let (next, r) = imap_proto::parser::parse_response(rest).unwrap();
        if let Response::Fetch(seq, attrs) = &r {
            black_box(seq);
            for a in attrs {
                match a {
                    AttributeValue::Uid(uid) => {
                        black_box(uid);
                    }
                    AttributeValue::Flags(flags) => {
                        black_box(flags.len());
                    }
                    other => {
                        black_box(other);
                    }
                }
            }
        }
        rest = next;
        count += 1;
    }
    count
}

/// imap-codec's `ResponseCodec`, one response after the other.
fn imap_codec(input: &[u8]) -> usize {
    use imap_codec::ResponseCodec;
    use imap_codec::decode::Decoder;
    use imap_codec::imap_types::fetch::MessageDataItem;
    use imap_codec::imap_types::response::{Data, Response};
    let codec = ResponseCodec::default();
    let mut rest = input;
    let mut count = 0;
    while !rest.is_empty() {
        let (next, r) = codec.decode(rest).unwrap();
        if let Response::Data(Data::Fetch { seq, items }) = &r {
            black_box(seq);
            for item in items.as_ref() {
                match item {
                    MessageDataItem::Uid(uid) => {
                        black_box(uid);
                    }
                    MessageDataItem::Flags(flags) => {
                        black_box(flags.len());
                    }
                    other => {
                        black_box(other);
                    }
                }
            }
        }
        rest = next;
        count += 1;
    }
    count
}

/// `ResponseDecoder` fed in 16 KiB chunks, as from a socket.
fn mailwire_streaming(input: &[u8], limits: Limits) -> usize {
    let mut decoder = ResponseDecoder::new(limits);
    let mut count = 0;
    for chunk in input.chunks(16 * 1024) {
        decoder.push(chunk);
        while let Some(frame) = decoder.next_frame() {
            let frame = frame.unwrap();
            consume(&frame.decode().unwrap());
            count += 1;
        }
    }
    count
}

fn bench_fetch(c: &mut Criterion) {
    let input = fetch_uid_flags();
    let limits = Limits::default();
    assert_eq!(mailwire_stateless(&input, &limits), LINES);
    assert_eq!(mailwire_streaming(&input, limits), LINES);
    assert_eq!(imap_proto(&input), LINES);
    assert_eq!(imap_codec(&input), LINES);

    let mut group = c.benchmark_group("imap/fetch-uid-flags");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("mailwire", |b| {
        b.iter(|| mailwire_stateless(black_box(&input), &limits))
    });
    group.bench_function("mailwire-streaming", |b| {
        b.iter(|| mailwire_streaming(black_box(&input), limits))
    });
    group.bench_function("imap-proto", |b| b.iter(|| imap_proto(black_box(&input))));
    group.bench_function("imap-codec", |b| b.iter(|| imap_codec(black_box(&input))));
    group.finish();
}

criterion_group!(benches, bench_fetch);
criterion_main!(benches);
