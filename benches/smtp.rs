//! SMTP codec throughput, with smtp-proto measured in the same run on the
//! same input.
//!
//! `replies`: a server's side of realistic transactions (greeting, a
//! multi-line EHLO reply, MAIL/RCPT/DATA replies with enhanced status codes, a
//! multi-line 550), repeated to 64 KiB. Every implementation decodes every
//! reply into its code and text.

#![allow(missing_docs)] // criterion_group! generates undocumented functions

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mailwire::smtp::{Limits, decode};

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

criterion_group!(benches, replies);
criterion_main!(benches);
