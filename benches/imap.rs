//! IMAP codec throughput.
//!
//! `imap/fetch-uid-flags`: a server's answer to `FETCH 1:* (UID FLAGS)`,
//! 10 000 lines `* n FETCH (UID n FLAGS (\Seen))`. Every implementation
//! decodes every response down to its UID and flags.
//!
//! Each implementation is one function from the input to the number of
//! responses it decoded; a peer crate is measured by adding its function
//! and one `bench_function` line.

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

    let mut group = c.benchmark_group("imap/fetch-uid-flags");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("mailwire", |b| {
        b.iter(|| mailwire_stateless(black_box(&input), &limits))
    });
    group.bench_function("mailwire-streaming", |b| {
        b.iter(|| mailwire_streaming(black_box(&input), limits))
    });
    group.finish();
}

criterion_group!(benches, bench_fetch);
criterion_main!(benches);
