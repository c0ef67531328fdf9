//! Property tests: a server session gives the same events and writes the
//! same bytes however the client's stream is split into chunks, and a
//! client session gives the same events however the server's is.

use mailwire_pop3::session::{
    Client, ClientConfig, ClientEvent, Maildrop, MessageInfo, Server, ServerConfig, ServerEvent,
    verify_apop,
};
use mailwire_pop3::types::{Command, MessageNumber, Response, Text, UniqueId};
use proptest::prelude::*;

const TIMESTAMP: &[u8] = b"<1896.697170952@dbc.mtview.ca.us>";

fn messages() -> Vec<Vec<u8>> {
    vec![
        b"Subject: one\r\n\r\n.dot\r\nbody\r\n".to_vec(),
        b"Subject: two\r\n\r\nline\r\n.\r\n..\r\nend".to_vec(),
        Vec::new(),
    ]
}

fn maildrop() -> Maildrop {
    Maildrop::new(
        messages()
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let info = MessageInfo::new(m.len() as u64);
                if i == 1 {
                    info
                } else {
                    info.with_uid(UniqueId::new(format!("u{i}").into_bytes()).unwrap())
                }
            })
            .collect(),
    )
    .unwrap()
}

/// Answers every request the same way whenever it comes.
fn serve(server: &mut Server, events: &mut Vec<ServerEvent>) {
    let ready = || Text::try_from("ready").unwrap();
    while let Some(event) = server.poll_event() {
        events.push(event.clone());
        match event {
            ServerEvent::Login { password, .. } => {
                if password.expose() == b"secret" {
                    server.accept_login(maildrop(), ready()).unwrap();
                } else {
                    server.send(Response::err("no").unwrap()).unwrap();
                }
            }
            ServerEvent::Apop { digest, .. } => {
                if verify_apop(TIMESTAMP, b"tanstaaf", &digest) {
                    server.accept_login(maildrop(), ready()).unwrap();
                } else {
                    server.send(Response::err("no").unwrap()).unwrap();
                }
            }
            ServerEvent::Auth { credentials, .. } => {
                if credentials.verify_password(b"test") {
                    server.accept_login(maildrop(), ready()).unwrap();
                } else {
                    server.send(Response::err("no").unwrap()).unwrap();
                }
            }
            ServerEvent::Retr { msg, .. } | ServerEvent::Top { msg, .. } => {
                let body = &messages()[msg.get() as usize - 1];
                server.begin_message(Text::empty()).unwrap();
                for piece in body.chunks(5) {
                    server.send_message_chunk(piece).unwrap();
                }
                server.finish_message().unwrap();
            }
            ServerEvent::Update { .. } => server.send(Response::ok("bye").unwrap()).unwrap(),
            ServerEvent::Command(_) => server.send(Response::err("unknown").unwrap()).unwrap(),
            _ => {}
        }
    }
}

fn config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.timestamp = Some(TIMESTAMP.to_vec());
    config.mechanisms = vec![
        mailwire_sasl::Mechanism::PLAIN,
        mailwire_sasl::Mechanism::LOGIN,
        mailwire_sasl::Mechanism::CRAM_MD5,
    ];
    config
}

/// Runs a server over `input` cut at `cuts`; gives its events and output.
fn run_server(input: &[u8], cuts: &[usize]) -> (Vec<ServerEvent>, Vec<u8>) {
    let mut server = Server::new(config()).unwrap();
    let mut events = Vec::new();
    let mut out = Vec::new();
    let mut start = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    for cut in cuts.into_iter().chain([input.len()]) {
        server.handle_input(&input[start..cut]);
        start = cut;
        serve(&mut server, &mut events);
        while let Some(bytes) = server.poll_transmit() {
            out.extend_from_slice(&bytes);
        }
    }
    (events, out)
}

fn line() -> impl Strategy<Value = Vec<u8>> {
    let fixed = prop::sample::select(vec![
        "USER mrose",
        "user mrose",
        "PASS secret",
        "PASS wrong",
        "APOP mrose c4c9334bac560ecc979e58001b3e22fb",
        "APOP mrose 00000000000000000000000000000000",
        "AUTH PLAIN",
        "AUTH PLAIN AHRlc3QAdGVzdA==",
        "AUTH LOGIN",
        "AUTH CRAM-MD5",
        "AUTH PLAIN =",
        "AUTH",
        "dGVzdA==",
        "AHRlc3QAdGVzdA==",
        "*",
        "STAT",
        "LIST",
        "LIST 1",
        "LIST 9",
        "RETR 1",
        "RETR 2",
        "RETR 3",
        "RETR 0",
        "TOP 1 0",
        "TOP 2 1",
        "DELE 1",
        "DELE 2",
        "RSET",
        "NOOP",
        "UIDL",
        "UIDL 1",
        "UIDL 2",
        "CAPA",
        "STLS",
        "UTF8",
        "LANG",
        "XTND XMIT",
        "QUIT",
        "",
        " ",
        "RETR",
        "bad\0line",
        "bare\rcr",
    ])
    .prop_map(|s| s.as_bytes().to_vec());
    prop_oneof![
        10 => fixed,
        1 => prop::collection::vec(any::<u8>(), 0..40),
        1 => (250usize..400).prop_map(|n| vec![b'x'; n]),
    ]
}

fn stream() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((line(), any::<bool>()), 0..40).prop_map(|lines| {
        let mut out = Vec::new();
        for (line, crlf) in lines {
            out.extend_from_slice(&line);
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        out
    })
}

/// What a client sends, up front, for the client-side property.
fn commands() -> impl Strategy<Value = Vec<Command<'static>>> {
    let msg = |n: u32| MessageNumber::new(n).unwrap();
    let pick = prop::sample::select(vec![
        Command::Stat,
        Command::List(None),
        Command::List(Some(msg(1))),
        Command::List(Some(msg(7))),
        Command::Retr(msg(1)),
        Command::Retr(msg(2)),
        Command::Retr(msg(3)),
        Command::Top {
            msg: msg(1),
            lines: 0,
        },
        Command::Dele(msg(2)),
        Command::Rset,
        Command::Noop,
        Command::Uidl(None),
        Command::Uidl(Some(msg(2))),
        Command::Capa,
    ]);
    prop::collection::vec(pick, 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn server_is_split_invariant(input in stream(), cuts in prop::collection::vec(any::<usize>(), 0..12)) {
        let whole = run_server(&input, &[]);
        let split = run_server(&input, &cuts);
        prop_assert_eq!(&whole.0, &split.0);
        prop_assert_eq!(&whole.1, &split.1);
        // Byte by byte, too.
        let every: Vec<usize> = (0..input.len()).collect();
        let bytewise = run_server(&input, &every);
        prop_assert_eq!(&whole.0, &bytewise.0);
        prop_assert_eq!(&whole.1, &bytewise.1);
    }

    #[test]
    fn client_is_split_invariant(
        sends in commands(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        // A server produces the transcript.
        let mut input = b"USER mrose\r\nPASS secret\r\n".to_vec();
        for c in &sends {
            input.extend_from_slice(&mailwire_pop3::encode::Encode::to_bytes(c));
        }
        let (_, transcript) = run_server(&input, &[]);

        let run = |cuts: &[usize]| {
            let mut client = Client::new(ClientConfig::default());
            client.send(Command::User(mailwire_pop3::types::Argument::try_from("mrose").unwrap())).unwrap();
            client.send(Command::Pass(mailwire_pop3::types::Password::try_from("secret").unwrap())).unwrap();
            for c in &sends {
                client.send(c.clone()).unwrap();
            }
            let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (transcript.len() + 1)).collect();
            cuts.sort_unstable();
            let mut events = Vec::new();
            let mut written = Vec::new();
            let mut start = 0;
            for cut in cuts.into_iter().chain([transcript.len()]) {
                client.handle_input(&transcript[start..cut]);
                start = cut;
                while let Some(e) = client.poll_event() {
                    // Chunks are cut where the input was: compare contents.
                    match (e, events.last_mut()) {
                        (ClientEvent::MessageChunk(c), Some(ClientEvent::MessageChunk(prev))) => {
                            let mut joined = prev.to_vec();
                            joined.extend_from_slice(&c);
                            *prev = joined.into();
                        }
                        (e, _) => events.push(e),
                    }
                }
                while let Some(b) = client.poll_transmit() {
                    written.extend_from_slice(&b);
                }
            }
            (events, written)
        };
        let whole = run(&[]);
        let split = run(&cuts);
        prop_assert_eq!(&whole, &split);
        // Every command was written and answered.
        prop_assert_eq!(&whole.1, &input);
        let replies = whole.0.iter().filter(|e| matches!(e, ClientEvent::Reply { .. })).count();
        prop_assert_eq!(replies, sends.len() + 2);
        prop_assert!(!whole.0.iter().any(|e| matches!(e, ClientEvent::Error(_))), "{:?}", whole.0);
    }
}
