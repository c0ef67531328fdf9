#![no_main]
//! POP3 server responses: decoding never panics, the streaming decoder
//! (fed in pieces) gives the same replies and errors as the stateless
//! function over the whole input, and every decoded reply encodes to bytes
//! that decode back to it.
//!
//! The first byte of the input steers the run: its low four bits pick the
//! command context (cycled from there through the other contexts, one per
//! response), bits 4-5 the chunk size, bit 6 narrows the limits so the
//! limit paths are reached with short inputs, and bit 7 starts with the
//! greeting.

use std::collections::VecDeque;

use libfuzzer_sys::fuzz_target;
use mailwire_pop3::Limits;
use mailwire_pop3::decode::{self, DecodeError, Decoded, Event, Expect, ResponseDecoder};
use mailwire_pop3::encode::Encode;
use mailwire_pop3::types::{Body, MultiLine, Reply, Response};

const CONTEXTS: [Expect; 9] = [
    Expect::Single,
    Expect::Message,
    Expect::Scan,
    Expect::UniqueIds,
    Expect::Capa,
    Expect::Auth,
    Expect::Languages,
    Expect::Mechanisms,
    Expect::Greeting,
];

fn empty_body(expect: Expect) -> Body<'static> {
    match expect {
        Expect::Capa => Body::Capa(Vec::new()),
        Expect::Scan => Body::Scan(Vec::new()),
        Expect::UniqueIds => Body::UniqueIds(Vec::new()),
        Expect::Languages => Body::Languages(Vec::new()),
        Expect::Mechanisms => Body::Mechanisms(Vec::new()),
        _ => Body::Message(Default::default()),
    }
}

type Replies = Vec<Result<Reply<'static>, DecodeError>>;

/// The streaming decoder fed `chunk` bytes at a time, events assembled into
/// replies.
fn streaming(input: &[u8], chunk: usize, expects: &[Expect], limits: Limits) -> Replies {
    let mut d = ResponseDecoder::without_greeting(limits);
    for &e in expects {
        d.expect(e);
    }
    let mut out = Vec::new();
    let mut open: Option<(Response<'static>, Body<'static>, Vec<u8>)> = None;
    for piece in input.chunks(chunk.max(1)) {
        d.push(piece);
        loop {
            let Some(event) = d.next_event() else { break };
            match event {
                Err(e) => {
                    open = None;
                    out.push(Err(e));
                }
                Ok(Event::Greeting(g)) => out.push(Ok(Reply::Greeting(g))),
                Ok(Event::Response(r)) => out.push(Ok(Reply::Single(r))),
                Ok(Event::Challenge(c)) => out.push(Ok(Reply::Challenge(c))),
                Ok(Event::Begin { response, expect }) => {
                    assert!(response.is_ok());
                    open = Some((response, empty_body(expect), Vec::new()));
                }
                Ok(Event::End) => {
                    let (r, mut body, bytes) = open.take().expect("a body is open");
                    if let Body::Message(b) = &mut body {
                        *b = bytes.into();
                    }
                    out.push(Ok(Reply::Multi(MultiLine::new(r, body).expect("+OK"))));
                }
                Ok(Event::Chunk(c)) => {
                    let (_, _, bytes) = open.as_mut().expect("a body is open");
                    bytes.extend_from_slice(&c);
                    assert!(bytes.len() <= limits.message_size);
                }
                Ok(entry) => {
                    let (_, body, _) = open.as_mut().expect("a body is open");
                    match (body, entry) {
                        (Body::Capa(v), Event::Capability(c)) => v.push(c),
                        (Body::Scan(v), Event::Scan(s)) => v.push(s),
                        (Body::UniqueIds(v), Event::UniqueId(u)) => v.push(u),
                        (Body::Languages(v), Event::Language(l)) => v.push(l),
                        (Body::Mechanisms(v), Event::Mechanism(m)) => v.push(m),
                        (b, e) => panic!("{e:?} in {b:?}"),
                    }
                }
            }
        }
    }
    out
}

/// The stateless function over the whole input, resynchronising as the
/// errors say.
fn stateless(input: &[u8], expects: &[Expect], limits: Limits) -> (Replies, Vec<Expect>) {
    let mut queue: VecDeque<Expect> = expects.iter().copied().collect();
    let mut out = Vec::new();
    let mut used = Vec::new();
    let mut pos = 0;
    while pos < input.len() {
        let expect = *queue.front().expect("enough expectations");
        let rest = &input[pos..];
        match decode::response(rest, expect, &limits) {
            Ok(Decoded::Incomplete) => break,
            Ok(Decoded::Complete { value, consumed }) => {
                assert!(consumed > 0 && consumed <= rest.len());
                if !matches!(value, Reply::Challenge(_)) {
                    queue.pop_front();
                }
                out.push(Ok(value.into_owned()));
                used.push(expect);
                pos += consumed;
            }
            Err(mut e) => {
                assert!(e.discard > 0 || e.until_line_end || e.until_body_end);
                assert!(e.discard <= rest.len() || e.until_line_end);
                let challenge = rest.starts_with(b"+ ")
                    || rest.starts_with(b"+\r\n")
                    || rest.starts_with(b"+\n");
                if !(expect == Expect::Auth && challenge) {
                    queue.pop_front();
                }
                e.offset += pos;
                pos += e.discard;
                if e.until_line_end {
                    pos = input
                        .get(pos..)
                        .and_then(|r| r.iter().position(|&b| b == b'\n'))
                        .map_or(input.len(), |i| pos + i + 1);
                }
                if e.until_body_end && pos <= input.len() {
                    let after_lf = pos > 0 && input.get(pos - 1) == Some(&b'\n');
                    pos =
                        decode::body_end(&input[pos..], after_lf).map_or(input.len(), |n| pos + n);
                }
                out.push(Err(e));
                used.push(expect);
            }
        }
    }
    (out, used)
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let mut limits = Limits::default();
    if control & 0x40 != 0 {
        limits.response_line = 24;
        limits.sasl_line = 24;
        limits.message_size = 32;
        limits.listing_entries = 3;
    }
    let start = usize::from(control & 0x0f) % CONTEXTS.len();
    let mut expects: Vec<Expect> = Vec::new();
    if control & 0x80 != 0 {
        expects.push(Expect::Greeting);
    }
    expects.extend(
        CONTEXTS
            .iter()
            .cycle()
            .skip(start)
            .take(input.len() + 1)
            .copied(),
    );
    let chunk = [1, 3, 17, 4096][usize::from((control >> 4) & 0x03)];

    let (reference, used) = stateless(input, &expects, limits);
    assert_eq!(
        streaming(input, chunk, &expects, limits),
        reference,
        "split at {chunk}"
    );
    assert_eq!(
        streaming(input, input.len(), &expects, limits),
        reference,
        "in one piece"
    );

    // Every decoded reply encodes to bytes that decode back to it.
    let mut wide = Limits::default();
    wide.response_line = usize::MAX;
    wide.sasl_line = usize::MAX;
    wide.message_size = usize::MAX;
    wide.listing_entries = usize::MAX;
    for (reply, expect) in reference.into_iter().zip(used) {
        let Ok(reply) = reply else { continue };
        let bytes = reply.to_bytes();
        let (again, consumed) = decode::response(&bytes, expect, &wide)
            .expect("an encoded reply decodes")
            .complete()
            .expect("an encoded reply is complete");
        assert_eq!(consumed, bytes.len());
        assert_eq!(again, reply);
    }
});
