#![no_main]
//! Decodes arbitrary bytes as a client's IMAP stream (commands with their
//! literals, AUTHENTICATE lines, DONE) and checks properties: no panic;
//! every decoded message re-encodes to bytes that decode to the same
//! value; the fragments a client would send join up to the same command;
//! the streaming decoder reports the same events (continuation requests,
//! messages, errors) however the input is split, and agrees with the
//! stateless decoder.

use libfuzzer_sys::fuzz_target;
use mailwire_imap::Limits;
use mailwire_imap::decode::{self, CommandDecoder, CommandEvent, DecodeError, Decoded};
use mailwire_imap::encode::{self, Encode, Fragment};
use mailwire_imap::types::{ClientMessage, Command, CommandBody, Expect, LiteralMode};

/// One event of the stream: a continuation request (its size and offset),
/// a message (offset, bytes, decoding re-encoded), or an error.
#[derive(Debug, PartialEq)]
enum Event {
    Continuation(u64, usize),
    Message(usize, Vec<u8>, Result<Vec<u8>, DecodeError>),
    Error(DecodeError),
}

/// What the session expects after `m`, as a server would track it.
fn next_expect(current: Expect, m: Option<&ClientMessage<'_>>) -> Expect {
    match m {
        Some(ClientMessage::Command(c)) => match c.body {
            CommandBody::Authenticate { initial: None, .. } => Expect::AuthenticateData,
            CommandBody::Idle => Expect::IdleDone,
            _ => Expect::Command,
        },
        Some(ClientMessage::Done) => Expect::Command,
        Some(ClientMessage::AuthenticateData(_)) => Expect::AuthenticateData,
        None => current,
    }
}

fn stream(data: &[u8], chunk: usize, limits: Limits, mode: LiteralMode) -> (Vec<Event>, Vec<u8>) {
    let mut d = CommandDecoder::new(limits);
    d.set_literal_mode(mode);
    let mut out = Vec::new();
    for c in data.chunks(chunk.max(1)) {
        d.push(c);
        while let Some(ev) = d.next_frame() {
            match ev {
                Ok(CommandEvent::NeedsContinuation {
                    literal_len,
                    offset,
                }) => out.push(Event::Continuation(literal_len, offset)),
                Ok(CommandEvent::Frame(f)) => {
                    let decoded = f.decode();
                    // A line during AUTHENTICATE that reads as a command
                    // ends the exchange (the server answered it).
                    let decoded = match (&decoded, f.expect()) {
                        (Ok(ClientMessage::AuthenticateData(_)), _)
                        | (Err(_), Expect::AuthenticateData) => match f.decode_command() {
                            Ok(c) => Ok(ClientMessage::Command(c)),
                            Err(_) => decoded,
                        },
                        _ => decoded,
                    };
                    let expect = next_expect(d.expect(), decoded.as_ref().ok());
                    d.set_expect(expect);
                    out.push(Event::Message(
                        f.offset(),
                        f.as_bytes().to_vec(),
                        decoded.map(|m| m.to_bytes()),
                    ));
                }
                Ok(_) => {}
                Err(e) => out.push(Event::Error(e)),
            }
        }
    }
    (out, d.buffered().to_vec())
}

/// Checks that `c` re-encodes to bytes that decode to the same value under
/// the same list and depth limits, and that its fragments join up to a
/// command that decodes the same.
fn round_trip(c: &Command<'_>, limits: &Limits) {
    let mut wide = Limits::default();
    wide.list_items = limits.list_items;
    wide.nesting_depth = limits.nesting_depth;
    let wire = c.to_bytes();
    let (back, used) = decode::command(&wire, &wide)
        .expect("an encoded command decodes")
        .complete()
        .expect("an encoded command is complete");
    assert_eq!(used, wire.len());
    assert_eq!(&back, c);
    let joined: Vec<u8> = encode::fragments(c, LiteralMode::Plus)
        .iter()
        .flat_map(|f| match f {
            Fragment::Line(l) => l.clone(),
            Fragment::Literal { data, .. } => data.to_vec(),
        })
        .collect();
    let (back, _) = decode::command(&joined, &wide).unwrap().complete().unwrap();
    assert_eq!(&back, c);
}

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    limits.line_length = 256;
    limits.literal_size = 64;
    limits.message_size = 1024;
    limits.nesting_depth = 8;
    limits.list_items = 32;
    let mode = match data.first().map(|b| b % 3) {
        Some(0) => LiteralMode::Sync,
        Some(1) => LiteralMode::Plus,
        _ => LiteralMode::Minus,
    };

    // Stateless: a decoded command round-trips.
    if let Ok(Decoded::Complete { value, consumed }) = decode::command(data, &limits) {
        assert!(consumed <= data.len());
        round_trip(&value, &limits);
    }

    // Streaming: the same events for any chunking.
    let whole = stream(data, data.len(), limits, mode);
    for chunk in [1, 2, 3, 7, 13, 64] {
        assert_eq!(stream(data, chunk, limits, mode), whole, "chunk {chunk}");
    }

    // With every literal allowed, the first message is what the stateless
    // decoder reads.
    let plus = stream(data, data.len(), limits, LiteralMode::Plus);
    let first = plus
        .0
        .iter()
        .find(|e| !matches!(e, Event::Continuation(..)));
    if let Some(Event::Message(offset, bytes, decoded)) = first {
        assert_eq!(*offset, 0);
        match decode::command(data, &limits) {
            Ok(Decoded::Complete { value, consumed }) => {
                assert_eq!(consumed, bytes.len());
                let wire = ClientMessage::Command(value).to_bytes();
                assert_eq!(decoded.as_ref().ok(), Some(&wire));
            }
            Err(e) => assert_eq!(decoded.as_ref().err().map(|d| d.offset), Some(e.offset)),
            Ok(Decoded::Incomplete) => panic!("a framed command is complete"),
        }
    }

    // Every command the stream decoded round-trips.
    for e in &whole.0 {
        if let Event::Message(_, bytes, Ok(_)) = e
            && let Ok(Decoded::Complete { value, .. }) = decode::command(bytes, &limits)
        {
            round_trip(&value, &limits);
        }
    }
});
