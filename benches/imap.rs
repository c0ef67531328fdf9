//! IMAP codec throughput.
//!
//! `imap/fetch-uid-flags`: a server's answer to `FETCH 1:* (UID FLAGS)`,
//! 10 000 lines `* n FETCH (UID n FLAGS (\Seen))`. Every implementation
//! decodes every response down to its UID and flags.
//!
//! `imap/commands`: a client's pipelined command stream of about 64 KiB:
//! SELECT, UID FETCH with `BODY.PEEK[HEADER.FIELDS (…)]`, UID SEARCH with
//! several keys, STORE, APPEND with a synchronizing literal, LOGOUT,
//! repeated. Every implementation decodes every command fully, the
//! APPEND's literal included: the whole stream is in memory, so the
//! continuation the literal waits for counts as sent (mailwire's streaming
//! decoder reports it and goes on; imap-codec's `CommandCodec` would
//! answer `LiteralFound` only if the literal's octets were missing).
//!
//! `imap/fetch-real`: FETCH responses with ENVELOPE and BODYSTRUCTURE from
//! real servers (benches/data: Dovecot's answer over 106 real-world and
//! adversarial messages, and five lines from Mail.ru, Lotus Notes and
//! others), about 54 KB. Every implementation decodes every response to
//! its typed value, envelopes and body structures included.
//!
//! `imap/literal-1mib`: one `* 1 FETCH (UID 7 BODY[] {1048576}` response
//! carrying a 1 MiB message, delivered whole and in 16 KiB chunks.
//! mailwire's streaming decoder frames each chunk as it comes; imap-proto
//! and imap-codec have no streaming decoder, so a caller keeps the bytes
//! and parses again from the start after each chunk until the response
//! is complete, which is what their `Incomplete` answers ask for.
//!
//! `imap/search-1.6mb`: a `* SEARCH` line of 1.6 MB (about 220 000
//! numbers) in 16 KiB chunks; the same retry loop for the peers. mailwire
//! needs its line and list limits raised for it, as a client expecting
//! such results would.
//!
//! Each implementation is one function from the input to the number of
//! messages it decoded. imap-proto and imap-codec (the newest release,
//! 2.0.0-alpha) are measured in the same run on the same input; every
//! implementation's UIDs are checked equal before timing.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire::imap::Limits;
use mailwire::imap::decode::{self, CommandDecoder, CommandEvent, ResponseDecoder};
use mailwire::imap::types::{ClientMessage, Command, CommandBody, Data, FetchItem, Response};

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
    mailwire_all(input, limits, consume)
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
    mailwire_all_streaming(input, limits, 16 * 1024, consume)
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

/// The APPENDed message.
const MESSAGE: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu.example\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

/// Commands in one round of the stream.
const ROUND: usize = 6;

/// About 64 KiB of pipelined commands.
fn command_stream() -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut count = 0;
    let mut round = 0;
    while out.len() < 64 * 1024 {
        let t = round * ROUND;
        out.extend_from_slice(
            format!(
                "A{} SELECT \"Archive/{round}\"\r\n\
                 A{} UID FETCH {}:{} (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID)])\r\n\
                 A{} UID SEARCH UNSEEN SINCE 1-Feb-1994 NOT FROM \"Smith\" LARGER 1024 SUBJECT \"afternoon meeting\" UID 1:*\r\n\
                 A{} STORE 1:5,7,9:12 +FLAGS.SILENT (\\Seen \\Flagged)\r\n\
                 A{} APPEND INBOX (\\Seen) {{{}}}\r\n{MESSAGE}\r\n\
                 A{} LOGOUT\r\n",
                t + 1,
                t + 2,
                round * 100 + 1,
                round * 100 + 99,
                t + 3,
                t + 4,
                t + 5,
                MESSAGE.len(),
                t + 6,
            )
            .as_bytes(),
        );
        count += ROUND;
        round += 1;
    }
    (out, count)
}

/// Reads what a server acts on in each command.
fn consume_command(c: &Command<'_>) {
    black_box(&c.tag);
    match &c.body {
        CommandBody::Append { message, .. } => {
            black_box(message.data.len());
        }
        other => {
            black_box(other);
        }
    }
}

/// `decode::command` on the whole input, one command after the other.
fn mailwire_commands(input: &[u8], limits: &Limits) -> usize {
    let mut rest = input;
    let mut count = 0;
    while !rest.is_empty() {
        let (c, used) = decode::command(rest, limits).unwrap().complete().unwrap();
        consume_command(&c);
        rest = &rest[used..];
        count += 1;
    }
    count
}

/// `CommandDecoder` fed in 16 KiB chunks, going on after each
/// continuation request.
fn mailwire_commands_streaming(input: &[u8], limits: Limits) -> usize {
    let mut decoder = CommandDecoder::new(limits);
    let mut count = 0;
    for chunk in input.chunks(16 * 1024) {
        decoder.push(chunk);
        while let Some(event) = decoder.next_frame() {
            match event.unwrap() {
                CommandEvent::NeedsContinuation { literal_len, .. } => {
                    black_box(literal_len);
                }
                CommandEvent::Frame(frame) => {
                    if let ClientMessage::Command(c) = frame.decode().unwrap() {
                        consume_command(&c);
                        count += 1;
                    }
                }
                _ => {}
            }
        }
    }
    count
}

/// imap-codec's `CommandCodec`, one command after the other. A literal
/// whose octets are missing gives `LiteralFound`; the whole stream is
/// here, so decoding goes on as after the server's continuation.
fn imap_codec_commands(input: &[u8]) -> usize {
    use imap_codec::CommandCodec;
    use imap_codec::decode::{CommandDecodeError, Decoder};
    use imap_codec::imap_types::command::CommandBody;
    let codec = CommandCodec::default();
    let mut rest = input;
    let mut count = 0;
    while !rest.is_empty() {
        match codec.decode(rest) {
            Ok((next, c)) => {
                black_box(&c.tag);
                match &c.body {
                    CommandBody::Append { message, .. } => {
                        black_box(message);
                    }
                    other => {
                        black_box(other);
                    }
                }
                rest = next;
                count += 1;
            }
            Err(CommandDecodeError::LiteralFound { length, .. }) => {
                panic!("the literal's {length} octets are in the input")
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    count
}

fn bench_commands(c: &mut Criterion) {
    let (input, count) = command_stream();
    let limits = Limits::default();
    assert_eq!(mailwire_commands(&input, &limits), count);
    assert_eq!(mailwire_commands_streaming(&input, limits), count);
    assert_eq!(imap_codec_commands(&input), count);

    let mut group = c.benchmark_group("imap/commands");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("mailwire", |b| {
        b.iter(|| mailwire_commands(black_box(&input), &limits))
    });
    group.bench_function("mailwire-streaming", |b| {
        b.iter(|| mailwire_commands_streaming(black_box(&input), limits))
    });
    group.bench_function("imap-codec", |b| {
        b.iter(|| imap_codec_commands(black_box(&input)))
    });
    group.finish();
}

/// Keeps a decoded response alive for the optimiser.
fn keep(r: &Response<'_>) {
    black_box(r);
}

/// FETCH responses with ENVELOPE and BODYSTRUCTURE captured from real
/// servers (see benches/data/README.md), keeping those that imap-proto
/// and imap-codec also parse so that all three decode the same bytes.
/// mailwire decodes every captured response; the number the peers fail on
/// is printed.
fn fetch_real() -> (Vec<u8>, usize) {
    use imap_codec::ResponseCodec;
    use imap_codec::decode::Decoder;
    let dovecot: &[u8] = include_bytes!("data/dovecot-fetch.bin");
    let servers: &[u8] = include_bytes!("data/servers-fetch.bin");
    let limits = Limits::default();
    let codec = ResponseCodec::default();
    let (mut input, mut count, mut dropped) = (Vec::new(), 0, 0);
    for capture in [dovecot, servers] {
        let mut rest = capture;
        while !rest.is_empty() {
            let (_, used) = decode::response(rest, &limits).unwrap().complete().unwrap();
            let one = &rest[..used];
            let proto_ok =
                matches!(imap_proto::parser::parse_response(one), Ok((r, _)) if r.is_empty());
            let codec_ok = matches!(codec.decode(one), Ok((r, _)) if r.is_empty());
            if proto_ok && codec_ok {
                input.extend_from_slice(one);
                count += 1;
            } else {
                dropped += 1;
            }
            rest = &rest[used..];
        }
    }
    println!(
        "imap/fetch-real: {count} responses that all three decode; {dropped} more that only mailwire decodes are left out"
    );
    (input, count)
}

/// `decode::response` on the whole input, `each` given every response.
fn mailwire_all(input: &[u8], limits: &Limits, each: impl Fn(&Response<'_>)) -> usize {
    let mut rest = input;
    let mut count = 0;
    while !rest.is_empty() {
        let (r, used) = decode::response(rest, limits).unwrap().complete().unwrap();
        each(&r);
        rest = &rest[used..];
        count += 1;
    }
    count
}

/// `ResponseDecoder` fed in chunks of `chunk` bytes, `each` given every
/// response.
fn mailwire_all_streaming(
    input: &[u8],
    limits: Limits,
    chunk: usize,
    each: impl Fn(&Response<'_>),
) -> usize {
    let mut decoder = ResponseDecoder::new(limits);
    let mut count = 0;
    for piece in input.chunks(chunk) {
        decoder.push(piece);
        while let Some(frame) = decoder.next_frame() {
            each(&frame.unwrap().decode().unwrap());
            count += 1;
        }
    }
    count
}

/// imap-proto's `parse_response` on the whole input.
fn imap_proto_all(input: &[u8]) -> usize {
    let mut rest = input;
    let mut count = 0;
    while !rest.is_empty() {
        let (next, r) = imap_proto::parser::parse_response(rest).unwrap();
        black_box(&r);
        rest = next;
        count += 1;
    }
    count
}

/// imap-codec's `ResponseCodec` on the whole input.
fn imap_codec_all(input: &[u8]) -> usize {
    use imap_codec::ResponseCodec;
    use imap_codec::decode::Decoder;
    let codec = ResponseCodec::default();
    let mut rest = input;
    let mut count = 0;
    while !rest.is_empty() {
        let (next, r) = codec.decode(rest).unwrap();
        black_box(&r);
        rest = next;
        count += 1;
    }
    count
}

/// imap-proto fed in chunks: the bytes are kept and parsed again from the
/// start after each chunk until a response is complete.
fn imap_proto_chunked(input: &[u8], chunk: usize) -> usize {
    let mut buf: Vec<u8> = Vec::new();
    let mut count = 0;
    for piece in input.chunks(chunk) {
        buf.extend_from_slice(piece);
        loop {
            let used = match imap_proto::parser::parse_response(&buf) {
                Ok((rest, r)) => {
                    black_box(&r);
                    buf.len() - rest.len()
                }
                Err(e) if e.is_incomplete() => break,
                Err(e) => panic!("{e:?}"),
            };
            buf.drain(..used);
            count += 1;
        }
    }
    count
}

/// imap-codec fed in chunks, with the same retry loop.
fn imap_codec_chunked(input: &[u8], chunk: usize) -> usize {
    use imap_codec::ResponseCodec;
    use imap_codec::decode::{Decoder, ResponseDecodeError};
    let codec = ResponseCodec::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut count = 0;
    for piece in input.chunks(chunk) {
        buf.extend_from_slice(piece);
        loop {
            let used = match codec.decode(&buf) {
                Ok((rest, r)) => {
                    black_box(&r);
                    buf.len() - rest.len()
                }
                Err(ResponseDecodeError::Incomplete | ResponseDecodeError::LiteralFound { .. }) => {
                    break;
                }
                Err(e) => panic!("{e:?}"),
            };
            buf.drain(..used);
            count += 1;
        }
    }
    count
}

fn bench_fetch_real(c: &mut Criterion) {
    let (input, count) = fetch_real();
    let limits = Limits::default();
    assert_eq!(mailwire_all(&input, &limits, keep), count);
    assert_eq!(
        mailwire_all_streaming(&input, limits, 16 * 1024, keep),
        count
    );
    assert_eq!(imap_proto_all(&input), count);
    assert_eq!(imap_codec_all(&input), count);

    let mut group = c.benchmark_group("imap/fetch-real");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("mailwire", |b| {
        b.iter(|| mailwire_all(black_box(&input), &limits, keep))
    });
    group.bench_function("mailwire-streaming", |b| {
        b.iter(|| mailwire_all_streaming(black_box(&input), limits, 16 * 1024, keep))
    });
    group.bench_function("imap-proto", |b| {
        b.iter(|| imap_proto_all(black_box(&input)))
    });
    group.bench_function("imap-codec", |b| {
        b.iter(|| imap_codec_all(black_box(&input)))
    });
    group.finish();
}

/// A FETCH response carrying a 1 MiB message as a literal: text lines with
/// 8-bit bytes, as a real message body.
fn literal_response() -> Vec<u8> {
    const SIZE: usize = 1 << 20;
    let mut body = Vec::with_capacity(SIZE);
    let mut n = 0u32;
    while body.len() < SIZE {
        body.extend_from_slice(
            format!("Line {n:06} of the message body, caf\u{e9} and more text.\r\n").as_bytes(),
        );
        n += 1;
    }
    body.truncate(SIZE);
    let mut out = format!("* 1 FETCH (UID 7 BODY[] {{{SIZE}}}\r\n").into_bytes();
    out.extend_from_slice(&body);
    out.extend_from_slice(b")\r\n");
    out
}

fn bench_literal(c: &mut Criterion) {
    let input = literal_response();
    let limits = Limits::default();
    const CHUNK: usize = 16 * 1024;
    assert_eq!(mailwire_all(&input, &limits, keep), 1);
    assert_eq!(mailwire_all_streaming(&input, limits, input.len(), keep), 1);
    assert_eq!(mailwire_all_streaming(&input, limits, CHUNK, keep), 1);
    assert_eq!(imap_proto_all(&input), 1);
    assert_eq!(imap_codec_all(&input), 1);
    assert_eq!(imap_proto_chunked(&input, CHUNK), 1);
    assert_eq!(imap_codec_chunked(&input, CHUNK), 1);

    let mut group = c.benchmark_group("imap/literal-1mib");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.sample_size(20);
    group.bench_function("mailwire-whole", |b| {
        b.iter(|| mailwire_all(black_box(&input), &limits, keep))
    });
    group.bench_function("mailwire-streaming-whole", |b| {
        b.iter(|| mailwire_all_streaming(black_box(&input), limits, input.len(), keep))
    });
    group.bench_function("mailwire-streaming-16k", |b| {
        b.iter(|| mailwire_all_streaming(black_box(&input), limits, CHUNK, keep))
    });
    group.bench_function("imap-proto-whole", |b| {
        b.iter(|| imap_proto_all(black_box(&input)))
    });
    group.bench_function("imap-proto-16k", |b| {
        b.iter(|| imap_proto_chunked(black_box(&input), CHUNK))
    });
    group.bench_function("imap-codec-whole", |b| {
        b.iter(|| imap_codec_all(black_box(&input)))
    });
    group.bench_function("imap-codec-16k", |b| {
        b.iter(|| imap_codec_chunked(black_box(&input), CHUNK))
    });
    group.finish();
}

/// A `* SEARCH` line of about 1.6 MB.
fn search_line() -> Vec<u8> {
    let mut out = b"* SEARCH".to_vec();
    let mut n = 100_000u32;
    while out.len() < 1_600_000 {
        out.extend_from_slice(format!(" {n}").as_bytes());
        n += 3;
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn bench_search(c: &mut Criterion) {
    let input = search_line();
    let mut limits = Limits::default();
    limits.line_length = 2 * 1024 * 1024;
    limits.list_items = 1_000_000;
    const CHUNK: usize = 16 * 1024;
    assert_eq!(mailwire_all(&input, &limits, keep), 1);
    assert_eq!(mailwire_all_streaming(&input, limits, CHUNK, keep), 1);
    assert_eq!(imap_proto_chunked(&input, CHUNK), 1);
    assert_eq!(imap_codec_chunked(&input, CHUNK), 1);

    let mut group = c.benchmark_group("imap/search-1.6mb");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.sample_size(10);
    group.bench_function("mailwire-whole", |b| {
        b.iter(|| mailwire_all(black_box(&input), &limits, keep))
    });
    group.bench_function("mailwire-streaming-16k", |b| {
        b.iter(|| mailwire_all_streaming(black_box(&input), limits, CHUNK, keep))
    });
    group.bench_function("imap-proto-whole", |b| {
        b.iter(|| imap_proto_all(black_box(&input)))
    });
    group.bench_function("imap-proto-16k", |b| {
        b.iter(|| imap_proto_chunked(black_box(&input), CHUNK))
    });
    group.bench_function("imap-codec-whole", |b| {
        b.iter(|| imap_codec_all(black_box(&input)))
    });
    group.bench_function("imap-codec-16k", |b| {
        b.iter(|| imap_codec_chunked(black_box(&input), CHUNK))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_fetch,
    bench_fetch_real,
    bench_literal,
    bench_search,
    bench_commands
);
criterion_main!(benches);
