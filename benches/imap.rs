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

criterion_group!(benches, bench_fetch, bench_commands);
criterion_main!(benches);
