#![no_main]
//! An IMAP server session over arbitrary client bytes, with a backend that
//! accepts every login and answers every request with a little data and
//! `OK`: it never panics, writes the same bytes and gives the same events
//! however the input is split, and everything it writes decodes with the
//! crate's response decoder. After `STARTTLS` and `COMPRESS` the bytes it
//! hands back are fed in again, as a transport would after the switch.
//!
//! The first byte of the input steers the run: bits 0-2 pick the chunk
//! size, bits 3-4 the literal mode, bit 5 offers STARTTLS and COMPRESS,
//! bit 6 refuses password logins before TLS, bit 7 narrows the limits.

use libfuzzer_sys::fuzz_target;
use mailwire_imap::Limits;
use mailwire_imap::decode::ResponseDecoder;
use mailwire_imap::session::{CommandKind, Server, ServerConfig, ServerEvent};
use mailwire_imap::types::{Code, Data, LiteralMode, StatusKind};

fn config(steer: u8) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.literal_mode = match (steer >> 3) & 3 {
        0 => LiteralMode::Plus,
        1 => LiteralMode::Minus,
        _ => LiteralMode::Sync,
    };
    config.starttls = steer & 0x20 != 0;
    config.compress = steer & 0x20 != 0;
    config.plaintext_login = steer & 0x40 == 0;
    if steer & 0x80 != 0 {
        let mut limits = Limits::default();
        limits.line_length = 64;
        limits.literal_size = 32;
        limits.message_size = 128;
        limits.list_items = 4;
        limits.nesting_depth = 3;
        config.limits = limits;
        config.unauthenticated_literal_size = 8;
    }
    config.mechanisms = vec![
        mailwire_sasl::Mechanism::PLAIN,
        mailwire_sasl::Mechanism::LOGIN,
        mailwire_sasl::Mechanism::CRAM_MD5,
        mailwire_sasl::Mechanism::XOAUTH2,
    ];
    config.cram_md5_challenge = Some(b"<1896.697170952@postoffice.example.net>".to_vec());
    config
}

/// Everything the server wrote and every event, for one split of the input.
fn run(steer: u8, input: &[u8], chunk: usize) -> (Vec<u8>, Vec<String>) {
    let mut server = Server::new(config(steer));
    let mut out = Vec::new();
    let mut events = Vec::new();
    let mut pending: Vec<Vec<u8>> = input.chunks(chunk.max(1)).map(<[u8]>::to_vec).collect();
    pending.reverse();
    while let Some(chunk) = pending.pop() {
        server.handle_input(&chunk);
        while let Some(event) = server.poll_event() {
            // The leftover depends on how much had arrived: the bytes it
            // holds are checked through what they do once fed again.
            events.push(match &event {
                ServerEvent::StartTls { .. } => "StartTls".to_owned(),
                ServerEvent::Compress { .. } => "Compress".to_owned(),
                other => format!("{other:?}"),
            });
            match event {
                ServerEvent::Login { password, .. } => {
                    let ok = password.expose().first() != Some(&b'x');
                    let kind = if ok { StatusKind::Ok } else { StatusKind::No };
                    server.complete(kind, None, "login").expect("a login waits");
                }
                ServerEvent::Authenticate { .. } => {
                    server
                        .complete(StatusKind::Ok, None, "auth")
                        .expect("an auth waits");
                }
                ServerEvent::Command(request) => {
                    if request.kind() == CommandKind::Select {
                        server.send_data(&Data::Exists(3)).expect("data allowed");
                    }
                    let code = (request.kind() == CommandKind::Examine).then_some(Code::ReadOnly);
                    server
                        .complete(StatusKind::Ok, code, "done")
                        .expect("a request waits");
                }
                ServerEvent::StartTls { leftover } | ServerEvent::Compress { leftover } => {
                    // The transport switched: what followed comes through it.
                    assert_eq!(server.buffered_input(), 0);
                    if !leftover.is_empty() {
                        pending.push(leftover.to_vec());
                    }
                }
                _ => {}
            }
        }
        while let Some(bytes) = server.poll_transmit() {
            out.extend_from_slice(&bytes);
        }
    }
    (out, events)
}

fuzz_target!(|data: &[u8]| {
    let Some((&steer, input)) = data.split_first() else {
        return;
    };
    let sizes = [1, 2, 3, 7, 16, 64, 512, usize::MAX];
    let whole = run(steer, input, usize::MAX);
    let split = run(steer, input, sizes[usize::from(steer & 7)]);
    assert_eq!(whole.0, split.0, "output depends on the split");
    assert_eq!(whole.1, split.1, "events depend on the split");

    // Everything written decodes as responses.
    let mut decoder = ResponseDecoder::new(Limits::default());
    decoder.push(&whole.0);
    while let Some(frame) = decoder.next_frame() {
        let frame = frame.expect("server output frames");
        if let Err(e) = frame.decode() {
            panic!("{e}: {:?}", String::from_utf8_lossy(frame.as_bytes()));
        }
    }
    assert!(
        decoder.buffered().is_empty(),
        "server output ends mid-response"
    );
});
