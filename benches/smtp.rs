//! SMTP codec throughput, with smtp-proto measured in the same run on the
//! same input.
//!
//! `replies`: a server's side of realistic transactions (greeting, a
//! multi-line EHLO reply, MAIL/RCPT/DATA replies with enhanced status codes, a
//! multi-line 550), repeated to 64 KiB. Every implementation decodes every
//! reply into its code and text.
//!
//! `commands`: a client's pipelined transactions (EHLO, MAIL FROM with
//! SIZE/BODY/ENVID, 50 × RCPT TO with NOTIFY/ORCPT, DATA), repeated to
//! 64 KiB. Every implementation decodes every command with its paths and
//! parameters. `mailwire-streaming` copies each command out of the
//! decoder's buffer (`next_command`, `Command<'static>`);
//! `mailwire-streaming-ref` borrows it (`next_command_ref`), as smtp-proto's
//! values borrow the input.
//!
//! `data`: a 10 MB message body in which 10 % of the lines start with `.`,
//! dot-stuffed on the wire, ending in `<CRLF>.<CRLF>`. Every implementation
//! finds the end and unstuffs the body; mailwire also checks every line for
//! bare CR, bare LF, NUL and length. `mailwire` hands the body out as
//! slices of the input; `mailwire-copy` appends it to a `Vec` like
//! smtp-proto's `DataReceiver` does.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire::smtp::{
    Limits, decode,
    encode::{DataOptions, encode_data},
    types::{Command, ForwardPath, ReversePath},
};

const SESSION: &[u8] = b"220 mx.example.com ESMTP a1b2c3d4e5f6g7 - gsmtp\r\n\
250-mx.example.com at your service, [203.0.113.7]\r\n\
250-SIZE 157286400\r\n\
250-8BITMIME\r\n\
250-STARTTLS\r\n\
250-ENHANCEDSTATUSCODES\r\n\
250-PIPELINING\r\n\
250-CHUNKING\r\n\
250 SMTPUTF8\r\n\
250 2.1.0 OK a1b2c3d4e5f6g7 - gsmtp\r\n\
250 2.1.5 OK a1b2c3d4e5f6g7 - gsmtp\r\n\
550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n\
550-5.1.1 double-checking the recipient's email address for typos or\r\n\
550-5.1.1 unnecessary spaces. For more information, go to\r\n\
550 5.1.1  https://support.example.com/mail/?p=NoSuchUser a1b2c3d4e5f6g7 - gsmtp\r\n\
354  Go ahead a1b2c3d4e5f6g7 - gsmtp\r\n\
250 2.0.0 OK  1700000000 a1b2c3d4e5f6g7 - gsmtp\r\n\
221 2.0.0 closing connection a1b2c3d4e5f6g7 - gsmtp\r\n";

const REPLIES_PER_SESSION: usize = 8;

fn replies_input() -> (Vec<u8>, usize) {
    let copies = (64 * 1024) / SESSION.len() + 1;
    (SESSION.repeat(copies), copies * REPLIES_PER_SESSION)
}

fn mailwire_stateless(input: &[u8], limits: &Limits) -> usize {
    let mut rest = input;
    let mut count = 0;
    while !rest.is_empty() {
        let (reply, used) = decode::reply(rest, limits).unwrap().complete().unwrap();
        black_box(reply.code());
        black_box(reply.lines().map(|l| l.as_bytes().len()).sum::<usize>());
        rest = &rest[used..];
        count += 1;
    }
    count
}

fn mailwire_streaming(input: &[u8], limits: Limits) -> usize {
    let mut decoder = decode::ReplyDecoder::new(limits);
    let mut count = 0;
    for chunk in input.chunks(16 * 1024) {
        decoder.push(chunk);
        while let Some(reply) = decoder.next_reply() {
            let reply = reply.unwrap();
            black_box(reply.code());
            black_box(reply.lines().map(|l| l.as_bytes().len()).sum::<usize>());
            count += 1;
        }
    }
    count
}

fn smtp_proto(input: &[u8]) -> usize {
    let mut iter = input.iter();
    let mut count = 0;
    while iter.len() > 0 {
        let reply = smtp_proto::response::parser::ResponseReceiver::default()
            .parse(&mut iter)
            .unwrap();
        black_box(reply.code);
        black_box(reply.message.len());
        count += 1;
    }
    count
}

fn replies(c: &mut Criterion) {
    let (input, expected) = replies_input();
    let limits = Limits::default();
    assert_eq!(mailwire_stateless(&input, &limits), expected);
    assert_eq!(mailwire_streaming(&input, limits), expected);
    assert_eq!(smtp_proto(&input), expected);

    let mut group = c.benchmark_group("smtp/replies");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("mailwire", |b| {
        b.iter(|| mailwire_stateless(black_box(&input), &limits))
    });
    group.bench_function("mailwire-streaming", |b| {
        b.iter(|| mailwire_streaming(black_box(&input), limits))
    });
    group.bench_function("smtp-proto", |b| b.iter(|| smtp_proto(black_box(&input))));
    group.finish();
}

fn command_session() -> Vec<u8> {
    let mut s = b"EHLO client.example.org\r\n\
MAIL FROM:<sender.name@example.org> SIZE=1048576 BODY=8BITMIME ENVID=QQ314159.2024\r\n"
        .to_vec();
    for i in 0..50 {
        s.extend_from_slice(
            format!(
                "RCPT TO:<recipient{i:02}@mail{}.example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;recipient{i:02}@mail{}.example.net\r\n",
                i % 7,
                i % 7
            )
            .as_bytes(),
        );
    }
    s.extend_from_slice(b"DATA\r\n");
    s
}

fn commands_input() -> (Vec<u8>, usize) {
    let session = command_session();
    let copies = (64 * 1024) / session.len() + 1;
    (session.repeat(copies), copies * 53)
}

/// What the equality check compares: the verb and the address.
fn describe(cmd: &Command<'_>) -> (String, String) {
    let addr = match cmd {
        Command::Mail {
            from: ReversePath::Mailbox(m),
            ..
        }
        | Command::Rcpt {
            to: ForwardPath::Mailbox(m),
            ..
        } => m.to_string(),
        Command::Ehlo { host } => host.to_string(),
        _ => String::new(),
    };
    (cmd.verb().to_owned(), addr)
}

fn commands_mailwire(input: &[u8], limits: &Limits, mut seen: impl FnMut(&Command<'_>)) -> usize {
    let mut rest = input;
    let mut count = 0;
    while !rest.is_empty() {
        let (cmd, used) = decode::command(rest, limits).unwrap().complete().unwrap();
        seen(&cmd);
        rest = &rest[used..];
        count += 1;
    }
    count
}

fn commands_mailwire_streaming(input: &[u8], limits: Limits) -> usize {
    let mut decoder = decode::CommandDecoder::new(limits);
    let mut count = 0;
    for chunk in input.chunks(16 * 1024) {
        decoder.push(chunk);
        loop {
            match decoder.next_command() {
                Some(cmd) => {
                    black_box(cmd.unwrap());
                    count += 1;
                }
                // The stream holds no message: commands go on after DATA.
                None if decoder.stopped().is_some() => decoder.resume(),
                None => break,
            }
        }
    }
    count
}

fn commands_mailwire_streaming_ref(input: &[u8], limits: Limits) -> usize {
    let mut decoder = decode::CommandDecoder::new(limits);
    let mut count = 0;
    for chunk in input.chunks(16 * 1024) {
        decoder.push(chunk);
        loop {
            while let Some(cmd) = decoder.next_command_ref() {
                black_box(cmd.unwrap());
                count += 1;
            }
            // The stream holds no message: commands go on after DATA.
            if decoder.stopped().is_none() {
                break;
            }
            decoder.resume();
        }
    }
    count
}

fn commands_smtp_proto(
    input: &[u8],
    mut seen: impl FnMut(&smtp_proto::Request<std::borrow::Cow<'_, str>>),
) -> usize {
    let mut iter = input.iter();
    let mut count = 0;
    while iter.len() > 0 {
        let request = smtp_proto::Request::parse(&mut iter).unwrap();
        seen(&request);
        count += 1;
    }
    count
}

fn commands(c: &mut Criterion) {
    let (input, expected) = commands_input();
    let limits = Limits::default();
    let mut ours = Vec::new();
    assert_eq!(
        commands_mailwire(&input, &limits, |c| ours.push(describe(c))),
        expected
    );
    assert_eq!(commands_mailwire_streaming(&input, limits), expected);
    assert_eq!(commands_mailwire_streaming_ref(&input, limits), expected);
    let mut theirs = Vec::new();
    assert_eq!(
        commands_smtp_proto(&input, |r| {
            let addr = match r {
                smtp_proto::Request::Mail { from } => {
                    assert_eq!(from.size, 1_048_576);
                    from.address.to_string()
                }
                smtp_proto::Request::Rcpt { to } => {
                    assert!(to.orcpt.is_some());
                    to.address.to_string()
                }
                smtp_proto::Request::Ehlo { host } => host.to_string(),
                _ => String::new(),
            };
            theirs.push((r.name().to_owned(), addr));
        }),
        expected
    );
    assert_eq!(ours, theirs);

    let mut group = c.benchmark_group("smtp/commands");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("mailwire", |b| {
        b.iter(|| {
            commands_mailwire(black_box(&input), &limits, |c| {
                black_box(c);
            })
        })
    });
    group.bench_function("mailwire-streaming", |b| {
        b.iter(|| commands_mailwire_streaming(black_box(&input), limits))
    });
    group.bench_function("mailwire-streaming-ref", |b| {
        b.iter(|| commands_mailwire_streaming_ref(black_box(&input), limits))
    });
    group.bench_function("smtp-proto", |b| {
        b.iter(|| {
            commands_smtp_proto(black_box(&input), |r| {
                black_box(r);
            })
        })
    });
    group.finish();
}

/// A 10 MB body: text lines of 60 to 78 octets, every tenth starting with
/// `.`; and its wire form.
fn data_input() -> (Vec<u8>, Vec<u8>) {
    let mut body = Vec::with_capacity(10_100_000);
    let words = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore";
    let mut i = 0usize;
    while body.len() < 10_000_000 {
        let len = 60 + (i * 7) % 19;
        if i % 10 == 3 {
            body.push(b'.');
            body.extend_from_slice(&words[..len - 1]);
        } else {
            body.extend_from_slice(&words[i % 13..i % 13 + len]);
        }
        body.extend_from_slice(b"\r\n");
        i += 1;
    }
    let mut wire = Vec::new();
    encode_data(&body, DataOptions::default(), &mut wire).unwrap();
    (body, wire)
}

#[allow(clippy::field_reassign_with_default)]
fn data_limits() -> Limits {
    let mut limits = Limits::default();
    limits.message_size = 1 << 30;
    limits
}

fn data_mailwire(input: &[u8], limits: Limits) -> (usize, usize) {
    let mut decoder = decode::DataDecoder::new(limits);
    let mut size = 0;
    let (end, used) = decoder
        .decode_into(input, |b| size += black_box(b).len())
        .unwrap();
    assert!(end.is_accepted());
    (size, used)
}

fn data_mailwire_copy(input: &[u8], limits: Limits) -> Vec<u8> {
    let mut decoder = decode::DataDecoder::new(limits);
    let mut body = Vec::with_capacity(input.len());
    let (end, used) = decoder
        .decode_into(input, |b| body.extend_from_slice(b))
        .unwrap();
    assert!(end.is_accepted() && used == input.len());
    body
}

fn data_smtp_proto(input: &[u8]) -> Vec<u8> {
    let mut receiver = smtp_proto::request::receiver::DataReceiver::new();
    let mut body = Vec::with_capacity(input.len());
    let mut iter = input.iter();
    assert!(receiver.ingest(&mut iter, &mut body));
    assert_eq!(iter.len(), 0);
    body
}

fn data(c: &mut Criterion) {
    let (body, wire) = data_input();
    let limits = data_limits();
    let dots = body
        .split(|&b| b == b'\n')
        .filter(|l| l.first() == Some(&b'.'))
        .count();
    let lines = body.split(|&b| b == b'\n').count() - 1;
    assert!((dots * 10).abs_diff(lines) < 10);
    assert_eq!(data_mailwire(&wire, limits), (body.len(), wire.len()));
    assert_eq!(data_mailwire_copy(&wire, limits), body);
    // smtp-proto keeps the CRLF before the final dot: the same body.
    assert_eq!(data_smtp_proto(&wire), body);

    let mut group = c.benchmark_group("smtp/data");
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.sample_size(20);
    group.bench_function("mailwire", |b| {
        b.iter(|| data_mailwire(black_box(&wire), limits))
    });
    group.bench_function("mailwire-copy", |b| {
        b.iter(|| data_mailwire_copy(black_box(&wire), limits))
    });
    group.bench_function("smtp-proto", |b| {
        b.iter(|| data_smtp_proto(black_box(&wire)))
    });
    group.finish();
}

criterion_group!(benches, replies, commands, data);
criterion_main!(benches);
