//! POP3 codec throughput.
//!
//! `pop3/retr`: the reply to `RETR` of a 10 MB message with 76-octet lines,
//! one line in ten starting with `.` (so stuffed on the wire). Decoded
//! stateless (the content unstuffed into one `Bytes`) and streaming (64 KiB
//! pushes, content handed out as zero-copy chunks), and encoded with
//! dot-stuffing.
//!
//! `pop3/listing`: the replies to `LIST` and `UIDL` for a maildrop of
//! 100 000 messages, decoded stateless (typed `Vec`s) and streaming (one
//! event a line).

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire::pop3::Limits;
use mailwire::pop3::decode::{self, Event, Expect, ResponseDecoder};
use mailwire::pop3::encode::BodyEncoder;
use mailwire::pop3::types::{Body, Reply};

const MESSAGE_SIZE: usize = 10 * 1000 * 1000;
const MESSAGES: u32 = 100_000;
const PUSH: usize = 64 * 1024;

/// A message of about 10 MB: headers, then 76-octet lines of which every
/// tenth starts with `.`.
fn message() -> Vec<u8> {
    let mut m =
        b"Received: from mx.example.com by pop.example.com; Mon, 1 Jan 2024 00:00:00 +0000\r\n\
From: sender@example.com\r\nTo: rcpt@example.com\r\nSubject: a large message\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\r\n"
            .to_vec();
    let mut letter = 0u8;
    // Counts lines from 0 to 9: line 0 of every ten starts with ".".
    let mut line = 0u8;
    while m.len() < MESSAGE_SIZE {
        let stuffed = line == 0;
        line = (line + 1) % 10;
        if stuffed {
            m.push(b'.');
        }
        for _ in 0..74 - usize::from(stuffed) {
            m.push(b'a' + letter);
            letter = (letter + 1) % 26;
        }
        m.extend_from_slice(b"\r\n");
    }
    m
}

fn retr_input(content: &[u8]) -> Vec<u8> {
    let mut wire = b"+OK 10000000 octets\r\n".to_vec();
    let mut enc = BodyEncoder::new();
    enc.push(content, &mut wire);
    enc.finish(&mut wire);
    wire
}

fn retr_stateless(input: &[u8], limits: &Limits) -> usize {
    let (reply, _) = decode::response(input, Expect::Message, limits)
        .unwrap()
        .complete()
        .unwrap();
    let Reply::Multi(m) = reply else {
        panic!("multi-line")
    };
    let Body::Message(b) = m.body() else {
        panic!("message")
    };
    black_box(b.len())
}

fn retr_streaming(input: &[u8], limits: Limits) -> usize {
    let mut d = ResponseDecoder::without_greeting(limits);
    d.expect(Expect::Message);
    let mut size = 0;
    for piece in input.chunks(PUSH) {
        d.push(piece);
        while let Some(event) = d.next_event() {
            if let Event::Chunk(c) = event.unwrap() {
                size += black_box(c.len());
            }
        }
    }
    size
}

fn retr(c: &mut Criterion) {
    let content = message();
    let input = retr_input(&content);
    let limits = Limits::default();
    assert_eq!(retr_stateless(&input, &limits), content.len());
    assert_eq!(retr_streaming(&input, limits), content.len());

    let mut group = c.benchmark_group("pop3/retr");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("decode", |b| {
        b.iter(|| retr_stateless(black_box(&input), &limits))
    });
    group.bench_function("decode-streaming", |b| {
        b.iter(|| retr_streaming(black_box(&input), limits))
    });
    group.bench_function("encode", |b| {
        let mut out = Vec::with_capacity(input.len());
        b.iter(|| {
            out.clear();
            let mut enc = BodyEncoder::new();
            for piece in content.chunks(PUSH) {
                enc.push(black_box(piece), &mut out);
            }
            enc.finish(&mut out);
            black_box(out.len())
        })
    });
    group.finish();
}

fn list_input() -> Vec<u8> {
    let mut wire = format!("+OK {MESSAGES} messages\r\n").into_bytes();
    for n in 1..=MESSAGES {
        let size = 1000 + (u64::from(n) * 7919) % 5_000_000;
        wire.extend_from_slice(format!("{n} {size}\r\n").as_bytes());
    }
    wire.extend_from_slice(b".\r\n");
    wire
}

fn uidl_input() -> Vec<u8> {
    let mut wire = b"+OK\r\n".to_vec();
    for n in 1..=MESSAGES {
        let id = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        wire.extend_from_slice(format!("{n} 000{id:016x}{:08x}\r\n", n ^ 0x5a5a).as_bytes());
    }
    wire.extend_from_slice(b".\r\n");
    wire
}

fn listing_stateless(input: &[u8], expect: Expect, limits: &Limits) -> usize {
    let (reply, _) = decode::response(input, expect, limits)
        .unwrap()
        .complete()
        .unwrap();
    let Reply::Multi(m) = reply else {
        panic!("multi-line")
    };
    match m.body() {
        Body::Scan(v) => black_box(v.len()),
        Body::UniqueIds(v) => black_box(v.len()),
        _ => 0,
    }
}

fn listing_streaming(input: &[u8], expect: Expect, limits: Limits) -> usize {
    let mut d = ResponseDecoder::without_greeting(limits);
    d.expect(expect);
    let mut count = 0;
    for piece in input.chunks(PUSH) {
        d.push(piece);
        while let Some(event) = d.next_event() {
            match event.unwrap() {
                Event::Scan(s) => {
                    black_box(s.size);
                    count += 1;
                }
                Event::UniqueId(u) => {
                    black_box(u.uid.as_bytes().len());
                    count += 1;
                }
                _ => {}
            }
        }
    }
    count
}

fn listing(c: &mut Criterion) {
    let limits = Limits::default();
    let expected = usize::try_from(MESSAGES).unwrap();
    let mut group = c.benchmark_group("pop3/listing");
    for (name, input, expect) in [
        ("list", list_input(), Expect::Scan),
        ("uidl", uidl_input(), Expect::UniqueIds),
    ] {
        assert_eq!(listing_stateless(&input, expect, &limits), expected);
        assert_eq!(listing_streaming(&input, expect, limits), expected);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| listing_stateless(black_box(&input), expect, &limits))
        });
        group.bench_function(format!("{name}-streaming"), |b| {
            b.iter(|| listing_streaming(black_box(&input), expect, limits))
        });
    }
    group.finish();
}

criterion_group!(benches, retr, listing);
criterion_main!(benches);
