#![no_main]
//! SMTP server session: arbitrary client bytes, split at points taken
//! from the first byte, go to a `Server` whose application accepts every
//! decision. The session never panics, gives the same events and replies
//! as when the bytes arrive whole, answers every decision it asks for,
//! and keeps no more than the input it was given plus bounded state.

use libfuzzer_sys::fuzz_target;
use mailwire_sasl as sasl;
use mailwire_smtp::Limits;
use mailwire_smtp::session::{Server, ServerConfig, ServerEvent};
use mailwire_smtp::types::Domain;

fn config() -> ServerConfig {
    let mut config = ServerConfig::new(Domain::new("mx.example.org").expect("valid name"));
    config.extensions.auth = vec![sasl::Mechanism::PLAIN, sasl::Mechanism::LOGIN];
    config.extensions.starttls = true;
    config.auth_without_tls = true;
    let mut limits = Limits::default();
    limits.message_size = 256;
    config.limits = limits;
    config
}

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    events: Vec<ServerEvent>,
    replies: Vec<u8>,
    /// Bytes not read because they came after STARTTLS.
    unread: Vec<u8>,
}

fn push(events: &mut Vec<ServerEvent>, event: ServerEvent) {
    if let (Some(ServerEvent::DataChunk(prev)), ServerEvent::DataChunk(more)) =
        (events.last_mut(), &event)
    {
        let mut joined = prev.to_vec();
        joined.extend_from_slice(more);
        *prev = joined.into();
        return;
    }
    events.push(event);
}

fn drive<'a>(chunks: impl IntoIterator<Item = &'a [u8]>, total: usize) -> Outcome {
    let mut server = Server::new(config());
    server.greeting();
    let mut out = Outcome {
        events: Vec::new(),
        replies: Vec::new(),
        unread: Vec::new(),
    };
    let mut tls = false;
    for chunk in chunks {
        if tls || server.is_closed() {
            out.unread.extend_from_slice(chunk);
            continue;
        }
        server.handle_input(chunk);
        // Memory: what is buffered is never more than what was given.
        assert!(server.buffered_len() <= total);
        while let Some(event) = server.poll_event() {
            let mut answers = 0;
            while server.is_pending() {
                server.accept().expect("a decision is pending");
                answers += 1;
                // One reply per recipient at most (LMTP); here SMTP: one.
                assert!(answers <= 1);
            }
            let event = match event {
                ServerEvent::StartTls { leftover } => {
                    tls = true;
                    out.unread.extend_from_slice(&leftover);
                    ServerEvent::StartTls {
                        leftover: Default::default(),
                    }
                }
                e => e,
            };
            push(&mut out.events, event);
            assert!(server.buffered_len() <= total);
        }
        while let Some(bytes) = server.poll_transmit() {
            out.replies.extend_from_slice(&bytes);
        }
    }
    while let Some(bytes) = server.poll_transmit() {
        out.replies.extend_from_slice(&bytes);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, input)) = data.split_first() else {
        return;
    };
    let whole = drive([input], input.len());
    let step = usize::from(split).max(1);
    let chunked = drive(input.chunks(step), input.len());
    // Bytes after QUIT are dropped whatever the split; bytes after STARTTLS
    // are handed back, the same whatever the split.
    assert_eq!(chunked.events, whole.events);
    assert_eq!(chunked.replies, whole.replies);
    if whole
        .events
        .iter()
        .any(|e| matches!(e, ServerEvent::StartTls { .. }))
    {
        assert_eq!(chunked.unread, whole.unread);
    }
});
