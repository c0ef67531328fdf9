//! Property tests of the sessions: the server's events and replies are the
//! same however the client's byte stream is split, and a message body
//! goes from client to server byte for byte.

use mailwire_sasl as sasl;
use mailwire_smtp::session::{
    Client, ClientConfig, ClientEvent, Server, ServerConfig, ServerEvent,
};
use mailwire_smtp::types::{Command, Domain, ForwardPath, Host, Mailbox, Reply, ReversePath};
use mailwire_smtp::{Limits, decode};
use proptest::prelude::*;

fn config() -> ServerConfig {
    let mut config = ServerConfig::new(Domain::new("mx.example.org").unwrap());
    config.extensions.auth = vec![sasl::Mechanism::PLAIN, sasl::Mechanism::LOGIN];
    config.extensions.starttls = true;
    config.auth_without_tls = true;
    let mut limits = Limits::default();
    limits.message_size = 64;
    config.limits = limits;
    config
}

fn reply(text: &str) -> Reply<'static> {
    let bytes = format!("{text}\r\n");
    decode::reply(bytes.as_bytes(), &Limits::default())
        .unwrap()
        .complete()
        .unwrap()
        .0
        .into_owned()
}

/// What a server made of a stream: its events (runs of data merged), its
/// replies, and the bytes it never read because of `STARTTLS`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    events: Vec<ServerEvent>,
    replies: Vec<u8>,
    after_starttls: Vec<u8>,
}

fn drive<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut server = Server::new(config());
    server.greeting();
    let mut out = Outcome {
        events: Vec::new(),
        replies: Vec::new(),
        after_starttls: Vec::new(),
    };
    let mut tls = false;
    for chunk in chunks {
        if tls {
            out.after_starttls.extend_from_slice(chunk);
            continue;
        }
        server.handle_input(chunk);
        while let Some(event) = server.poll_event() {
            while server.is_pending() {
                let answer = match &event {
                    ServerEvent::Rcpt { to, .. } if to.to_string().contains("bad") => {
                        Some(reply("550 5.1.1 no such user"))
                    }
                    ServerEvent::Auth { credentials, .. }
                        if !credentials.verify_password(b"1234") =>
                    {
                        Some(reply("535 5.7.8 no"))
                    }
                    _ => None,
                };
                match answer {
                    Some(r) => server.send(&r).unwrap(),
                    None => server.accept().unwrap(),
                }
            }
            let event = match event {
                ServerEvent::StartTls { leftover } => {
                    tls = true;
                    out.after_starttls.extend_from_slice(&leftover);
                    ServerEvent::StartTls {
                        leftover: Default::default(),
                    }
                }
                e => e,
            };
            match (out.events.last_mut(), event) {
                (Some(ServerEvent::DataChunk(prev)), ServerEvent::DataChunk(more)) => {
                    let mut joined = prev.to_vec();
                    joined.extend_from_slice(&more);
                    *prev = joined.into();
                }
                (_, e) => out.events.push(e),
            }
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

/// Pieces of client streams: commands in and out of order, message data,
/// SASL lines, bad lines.
const PIECES: &[&[u8]] = &[
    b"EHLO client.example\r\n",
    b"HELO client.example\r\n",
    b"MAIL FROM:<a@example.org> SIZE=50\r\n",
    b"MAIL FROM:<a@example.org> SIZE=500\r\n",
    b"MAIL FROM:<>\r\n",
    b"RCPT TO:<b@example.org>\r\n",
    b"RCPT TO:<bad@example.org>\r\n",
    b"DATA\r\n",
    b"Subject: x\r\n\r\n..dot\r\n",
    b"0123456789012345678901234567890123456789012345678901234567890123456789\r\n",
    b".\r\n",
    b"\r\n.\r\n",
    b"BDAT 7\r\nabc\r\nde",
    b"BDAT 0 LAST\r\n",
    b"BDAT 3 LAST\r\nxyz",
    b"AUTH PLAIN\r\n",
    b"AUTH PLAIN AHRlc3QAMTIzNA==\r\n",
    b"AHRlc3QAMTIzNA==\r\n",
    b"AUTH LOGIN dGlt\r\n",
    b"MTIzNA==\r\n",
    b"*\r\n",
    b"VRFY someone\r\n",
    b"NOOP\r\n",
    b"RSET\r\n",
    b"garbage line\r\n",
    b"RCPT TO:<a b@c>\r\n",
    b"QUIT\r\n",
    b"STARTTLS\r\n",
    b"\n",
    b"\r",
];

fn stream() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        8 => prop::sample::select(PIECES).prop_map(<[u8]>::to_vec),
        1 => prop::collection::vec(any::<u8>(), 0..12),
        1 => Just(vec![b'x'; 700]),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn split(input: &[u8], mut cuts: Vec<usize>) -> Vec<&[u8]> {
    cuts.iter_mut().for_each(|c| *c %= input.len() + 1);
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut from = 0;
    for c in cuts {
        out.push(&input[from..c]);
        from = c;
    }
    out.push(&input[from..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_split_gives_the_same_server_events(
        input in stream(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let whole = drive([input.as_slice()]);
        let pieces = split(&input, cuts);
        prop_assert_eq!(drive(pieces), whole.clone());
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        prop_assert_eq!(drive(bytes), whole);
    }

    #[test]
    fn a_body_arrives_byte_for_byte(
        lines in prop::collection::vec(
            prop::collection::vec(prop::sample::select(&b".a. \t\x80Z"[..]), 0..40),
            0..20,
        ),
        chunk in 1usize..64,
    ) {
        let mut body = Vec::new();
        for line in &lines {
            body.extend_from_slice(line);
            body.extend_from_slice(b"\r\n");
        }
        let mut server = Server::new(ServerConfig::new(Domain::new("mx.example.org").unwrap()));
        let mut client = Client::new(ClientConfig::new(Host::parse("c.example").unwrap()));
        server.greeting();
        client.hello().unwrap();
        client.send(Command::Mail {
            from: ReversePath::Null,
            params: Default::default(),
            source_route: false,
        }).unwrap();
        client.send(Command::Rcpt {
            to: ForwardPath::Mailbox(Mailbox::parse("b@example.org").unwrap()),
            params: Default::default(),
            source_route: false,
        }).unwrap();
        client.send(Command::Data).unwrap();
        for piece in body.chunks(chunk) {
            client.send_data(piece).unwrap();
        }
        client.end_data().unwrap();
        client.send(Command::Quit).unwrap();
        let mut received = Vec::new();
        let mut result = None;
        for _ in 0..20 {
            while let Some(b) = server.poll_transmit() {
                for piece in b.chunks(chunk) {
                    client.handle_input(piece);
                }
            }
            while let Some(b) = client.poll_transmit() {
                for piece in b.chunks(chunk) {
                    server.handle_input(piece);
                }
            }
            while let Some(e) = server.poll_event() {
                if let ServerEvent::DataChunk(b) = &e {
                    received.extend_from_slice(b);
                }
                if server.is_pending() {
                    server.accept().unwrap();
                }
            }
            while let Some(e) = client.poll_event() {
                if let ClientEvent::DataResult { reply, .. } = e {
                    result = Some(reply.code().get());
                }
            }
        }
        prop_assert_eq!(received, body);
        prop_assert_eq!(result, Some(250));
        prop_assert!(server.is_closed() && client.is_closed());
    }
}
