#![no_main]
//! A POP3 server session over arbitrary client bytes, with a small fake
//! maildrop and an application that accepts every login: it never panics,
//! gives the same events and writes the same bytes however the input is
//! split, and at `STLS` hands back exactly the bytes that followed it.
//!
//! The first byte of the input steers the run: bits 0-2 pick the chunk
//! size, bit 3 offers `STLS`, bit 4 refuses password logins before TLS,
//! bit 5 narrows the limits so the limit paths are reached with short
//! inputs, bit 6 gives the greeting an APOP timestamp.

use libfuzzer_sys::fuzz_target;
use mailwire_pop3::Limits;
use mailwire_pop3::session::{Maildrop, MessageInfo, Server, ServerConfig, ServerEvent};
use mailwire_pop3::types::{Body, Capability, MultiLine, Response, Text, UniqueId};

const MESSAGES: [&[u8]; 3] = [
    b"Subject: one\r\n\r\n.dot\r\nbody\r\n",
    b"Subject: two\r\n\r\nline\r\n.\r\n..\r\nno end",
    b"",
];

fn maildrop() -> Maildrop {
    let infos = MESSAGES
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let info = MessageInfo::new(m.len() as u64);
            match UniqueId::new(format!("u{i}").into_bytes()) {
                Ok(uid) if i != 1 => info.with_uid(uid),
                _ => info,
            }
        })
        .collect();
    Maildrop::new(infos).expect("three messages")
}

fn config(steer: u8) -> ServerConfig {
    let mut config = ServerConfig::default();
    if steer & 0x08 != 0 {
        config.capabilities.push(Capability::Stls);
    }
    config.capabilities.push(Capability::Utf8 { user: true });
    config.plaintext_login = steer & 0x10 == 0;
    if steer & 0x20 != 0 {
        let mut limits = Limits::default();
        limits.command_line = 24;
        limits.argument = 8;
        limits.sasl_line = 32;
        config.limits = limits;
    }
    if steer & 0x40 != 0 {
        config.timestamp = Some(b"<1896.697170952@dbc.mtview.ca.us>".to_vec());
    }
    config.mechanisms = vec![
        mailwire_sasl::Mechanism::PLAIN,
        mailwire_sasl::Mechanism::LOGIN,
        mailwire_sasl::Mechanism::CRAM_MD5,
        mailwire_sasl::Mechanism::XOAUTH2,
        mailwire_sasl::Mechanism::OAUTHBEARER,
    ];
    config
}

/// Answers every request; accepts every login.
fn serve(server: &mut Server, events: &mut Vec<ServerEvent>) -> Option<Vec<u8>> {
    let mut leftover = None;
    while let Some(event) = server.poll_event() {
        match &event {
            ServerEvent::Login { .. } | ServerEvent::Apop { .. } | ServerEvent::Auth { .. } => {
                let text = Text::try_from("ready").expect("valid text");
                server
                    .accept_login(maildrop(), text)
                    .expect("a login waits");
            }
            ServerEvent::Retr { msg, .. } | ServerEvent::Top { msg, .. } => {
                let body = MESSAGES
                    .get(msg.get() as usize - 1)
                    .expect("the session checked the number");
                server
                    .begin_message(Text::empty())
                    .expect("a message waits");
                for piece in body.chunks(3) {
                    server.send_message_chunk(piece).expect("in a message");
                }
                server.finish_message().expect("in a message");
            }
            ServerEvent::Update { .. } => {
                let bye = Response::ok("bye").expect("valid response");
                server.send(bye).expect("QUIT waits");
            }
            ServerEvent::Command(_) => {
                let head = Response::ok("listing").expect("valid response");
                let multi = MultiLine::new(head, Body::Languages(Vec::new())).expect("+OK");
                server.send_multi(&multi).expect("a command waits");
            }
            ServerEvent::StartTls { leftover: l } => leftover = Some(l.to_vec()),
            _ => {}
        }
        // The leftover's content depends on the split; compared separately.
        events.push(match event {
            ServerEvent::StartTls { .. } => ServerEvent::StartTls {
                leftover: Default::default(),
            },
            other => other,
        });
        if leftover.is_some() {
            break;
        }
    }
    leftover
}

struct Run {
    events: Vec<ServerEvent>,
    out: Vec<u8>,
    /// At `STLS`: the bytes handed back, then the input not yet given.
    after_stls: Option<Vec<u8>>,
}

fn run(input: &[u8], steer: u8, chunk: usize) -> Run {
    let Ok(mut server) = Server::new(config(steer)) else {
        panic!("the configuration is valid");
    };
    let mut events = Vec::new();
    let mut out = Vec::new();
    let mut after_stls = None;
    let mut fed = 0;
    for piece in input.chunks(chunk.max(1)) {
        server.handle_input(piece);
        fed += piece.len();
        let leftover = serve(&mut server, &mut events);
        while let Some(bytes) = server.poll_transmit() {
            out.extend_from_slice(&bytes);
        }
        if let Some(mut leftover) = leftover {
            leftover.extend_from_slice(input.get(fed..).unwrap_or_default());
            after_stls = Some(leftover);
            break;
        }
    }
    Run {
        events,
        out,
        after_stls,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&steer, input)) = data.split_first() else {
        return;
    };
    let chunk = [1, 2, 3, 5, 8, 13, 64, 4096][usize::from(steer & 0x07)];
    let whole = run(input, steer, input.len().max(1));
    let split = run(input, steer, chunk);
    assert_eq!(whole.events, split.events);
    assert_eq!(whole.out, split.out);
    assert_eq!(whole.after_stls, split.after_stls);
    // The session's output always ends in a complete line.
    assert!(whole.out.is_empty() || whole.out.ends_with(b"\r\n"));
});
