//! Full session traces through an in-memory client/server pair: RFC 1939
//! §10, APOP (RFC 1939 §7), AUTH (RFC 5034 §6), deletions, state errors,
//! pipelining (RFC 2449 §6.6) and STLS (RFC 2595 §4).

use bytes::BytesMut;
use mailwire_pop3::session::{
    Client, ClientConfig, ClientError, ClientEvent, Maildrop, MessageInfo, Server, ServerConfig,
    ServerEvent, SessionError, State, verify_apop,
};
use mailwire_pop3::types::{
    Argument, Capability, Command, CommandKind, MessageNumber, Password, Response, Text, UniqueId,
};
use mailwire_sasl as sasl;

const TIMESTAMP: &[u8] = b"<1896.697170952@dbc.mtview.ca.us>";

fn msg(n: u32) -> MessageNumber {
    MessageNumber::new(n).unwrap()
}

/// A message of exactly `size` octets, with a line that needs stuffing.
fn message(size: usize, tag: &str) -> Vec<u8> {
    let mut m = format!("Subject: {tag}\r\n\r\n.starts with a dot\r\n").into_bytes();
    while m.len() + 2 < size {
        m.push(b'x');
    }
    m.extend_from_slice(b"\r\n");
    assert_eq!(m.len(), size);
    m
}

/// The application behind the server: one user, a fake maildrop.
#[derive(Default)]
struct App {
    messages: Vec<Vec<u8>>,
    events: Vec<ServerEvent>,
    updated: Option<Vec<MessageNumber>>,
}

impl App {
    fn rfc1939() -> Self {
        Self {
            messages: vec![message(120, "one"), message(200, "two")],
            ..Self::default()
        }
    }

    fn maildrop(&self) -> Maildrop {
        Maildrop::new(
            self.messages
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    MessageInfo::new(m.len() as u64)
                        .with_uid(UniqueId::new(format!("uid-{}", i + 1).into_bytes()).unwrap())
                })
                .collect(),
        )
        .unwrap()
    }

    fn accept(&self, server: &mut Server, who: &str) {
        let text = format!(
            "{who}'s maildrop has {} messages ({} octets)",
            self.messages.len(),
            self.messages.iter().map(Vec::len).sum::<usize>()
        );
        server
            .accept_login(self.maildrop(), Text::new(text.into_bytes()).unwrap())
            .unwrap();
    }

    fn reject(server: &mut Server) {
        server
            .send(Response::err("invalid password").unwrap())
            .unwrap();
    }

    /// Answers every event the server has.
    fn serve(&mut self, server: &mut Server) {
        while let Some(event) = server.poll_event() {
            self.events.push(event.clone());
            match event {
                ServerEvent::Login { user, password } => {
                    if password.expose() == b"secret" {
                        self.accept(server, user.as_str().unwrap());
                    } else {
                        Self::reject(server);
                    }
                }
                ServerEvent::Apop { name, digest } => {
                    let ts = server.timestamp().unwrap().to_vec();
                    if verify_apop(&ts, b"tanstaaf", &digest) {
                        self.accept(server, name.as_str().unwrap());
                    } else {
                        Self::reject(server);
                    }
                }
                ServerEvent::Auth { credentials, .. } => {
                    if credentials.verify_password(b"test") {
                        server
                            .accept_login(
                                self.maildrop(),
                                Text::try_from("Maildrop locked and ready").unwrap(),
                            )
                            .unwrap();
                    } else {
                        Self::reject(server);
                    }
                }
                ServerEvent::Retr { msg, size } => {
                    let body = self.messages[msg.get() as usize - 1].clone();
                    assert_eq!(body.len() as u64, size);
                    server
                        .begin_message(Text::new(format!("{size} octets").into_bytes()).unwrap())
                        .unwrap();
                    // Streamed in small pieces, flushed as it goes.
                    for piece in body.chunks(7) {
                        server.send_message_chunk(piece).unwrap();
                    }
                    server.finish_message().unwrap();
                }
                ServerEvent::Top { msg, lines } => {
                    let body = &self.messages[msg.get() as usize - 1];
                    let text = String::from_utf8_lossy(body);
                    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
                    server.begin_message(Text::empty()).unwrap();
                    server.send_message_chunk(head.as_bytes()).unwrap();
                    server.send_message_chunk(b"\r\n\r\n").unwrap();
                    for line in rest.split_inclusive("\r\n").take(lines as usize) {
                        server.send_message_chunk(line.as_bytes()).unwrap();
                    }
                    server.finish_message().unwrap();
                }
                ServerEvent::Update { deleted } => {
                    let empty = deleted.len() == self.messages.len();
                    self.updated = Some(deleted);
                    let text = if empty {
                        "dewey POP3 server signing off (maildrop empty)"
                    } else {
                        "dewey POP3 server signing off"
                    };
                    server.send(Response::ok(text).unwrap()).unwrap();
                }
                ServerEvent::Command(_) => {
                    server
                        .send(Response::err("not implemented").unwrap())
                        .unwrap();
                }
                _ => {}
            }
        }
    }
}

/// A client and a server wired to each other, with what went each way.
struct Pair {
    client: Client,
    server: Server,
    app: App,
    c2s: Vec<u8>,
    s2c: Vec<u8>,
    client_events: Vec<ClientEvent>,
    /// Largest number of client bytes written in one go.
    writes: Vec<Vec<u8>>,
}

impl Pair {
    fn new(client: ClientConfig, server: ServerConfig, app: App) -> Self {
        let mut pair = Self {
            client: Client::new(client),
            server: Server::new(server).unwrap(),
            app,
            c2s: Vec::new(),
            s2c: Vec::new(),
            client_events: Vec::new(),
            writes: Vec::new(),
        };
        pair.pump();
        pair
    }

    /// Moves bytes both ways until nothing moves.
    fn pump(&mut self) {
        loop {
            let mut moved = false;
            self.app.serve(&mut self.server);
            while let Some(bytes) = self.server.poll_transmit() {
                moved = true;
                self.s2c.extend_from_slice(&bytes);
                self.client.handle_input(&bytes);
            }
            while let Some(event) = self.client.poll_event() {
                if let ClientEvent::StartTls { .. } = event {
                    self.client.tls_established();
                }
                self.client_events.push(event);
            }
            while let Some(bytes) = self.client.poll_transmit() {
                moved = true;
                self.c2s.extend_from_slice(&bytes);
                self.writes.push(bytes.to_vec());
                self.server.handle_input(&bytes);
            }
            if !moved {
                break;
            }
        }
    }

    fn take_events(&mut self) -> Vec<ClientEvent> {
        std::mem::take(&mut self.client_events)
    }

    /// The replies, as `(keyword, status line)` pairs.
    fn replies(&self) -> Vec<(String, String)> {
        self.client_events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Reply { command, response } => Some((
                    String::from_utf8_lossy(command.keyword()).into_owned(),
                    String::from_utf8_lossy(&mailwire_pop3::encode::Encode::to_bytes(response))
                        .trim_end()
                        .to_owned(),
                )),
                _ => None,
            })
            .collect()
    }
}

fn rfc_server() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.timestamp = Some(TIMESTAMP.to_vec());
    config
}

fn login(pair: &mut Pair) {
    pair.client
        .send(Command::User(Argument::try_from("mrose").unwrap()))
        .unwrap();
    pair.client
        .send(Command::Pass(Password::try_from("secret").unwrap()))
        .unwrap();
    pair.pump();
    assert_eq!(pair.client.state(), State::Transaction);
    assert_eq!(pair.server.state(), State::Transaction);
}

#[test]
fn rfc1939_section10_example_session() {
    let mut pair = Pair::new(ClientConfig::default(), rfc_server(), App::rfc1939());
    let events = pair.take_events();
    let [ClientEvent::Greeting(greeting)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(greeting.timestamp(), Some(TIMESTAMP));

    pair.client
        .apop(Argument::try_from("mrose").unwrap(), b"tanstaaf")
        .unwrap();
    for command in [
        Command::Stat,
        Command::List(None),
        Command::Retr(msg(1)),
        Command::Dele(msg(1)),
        Command::Retr(msg(2)),
        Command::Dele(msg(2)),
        Command::Quit,
    ] {
        pair.client.send(command).unwrap();
    }
    pair.pump();

    let c2s = "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n\
               STAT\r\n\
               LIST\r\n\
               RETR 1\r\n\
               DELE 1\r\n\
               RETR 2\r\n\
               DELE 2\r\n\
               QUIT\r\n";
    assert_eq!(String::from_utf8_lossy(&pair.c2s), c2s);

    let stuffed = |m: &[u8]| {
        String::from_utf8(m.to_vec())
            .unwrap()
            .replace("\r\n.", "\r\n..")
    };
    let s2c = format!(
        "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n\
         +OK mrose's maildrop has 2 messages (320 octets)\r\n\
         +OK 2 320\r\n\
         +OK 2 messages (320 octets)\r\n\
         1 120\r\n\
         2 200\r\n\
         .\r\n\
         +OK 120 octets\r\n\
         {}.\r\n\
         +OK message 1 deleted\r\n\
         +OK 200 octets\r\n\
         {}.\r\n\
         +OK message 2 deleted\r\n\
         +OK dewey POP3 server signing off (maildrop empty)\r\n",
        stuffed(&pair.app.messages[0]),
        stuffed(&pair.app.messages[1]),
    );
    assert_eq!(String::from_utf8_lossy(&pair.s2c), s2c);

    // Each reply is matched to its command.
    let replies = pair.replies();
    let keywords: Vec<&str> = replies.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keywords,
        [
            "APOP", "STAT", "LIST", "RETR", "DELE", "RETR", "DELE", "QUIT"
        ]
    );
    assert_eq!(replies[1].1, "+OK 2 320");

    // The listing and the messages, unstuffed.
    let mut bodies: Vec<Vec<u8>> = Vec::new();
    let mut sizes = Vec::new();
    for event in &pair.client_events {
        match event {
            ClientEvent::Reply {
                command: Command::Retr(_),
                ..
            } => bodies.push(Vec::new()),
            ClientEvent::MessageChunk(chunk) => bodies.last_mut().unwrap().extend_from_slice(chunk),
            ClientEvent::Scan(s) => sizes.push((s.msg.get(), s.size)),
            _ => {}
        }
    }
    assert_eq!(sizes, [(1, 120), (2, 200)]);
    assert_eq!(bodies, pair.app.messages);

    // Deletions were applied in UPDATE, both of them.
    assert_eq!(pair.app.updated, Some(vec![msg(1), msg(2)]));
    assert!(pair.server.is_closed());
    assert!(pair.client.is_closed());
    assert_eq!(pair.client.state(), State::Update);
    assert!(matches!(pair.app.events.last(), Some(ServerEvent::Closed)));
}

#[test]
fn apop_digest_is_checked() {
    let mut pair = Pair::new(ClientConfig::default(), rfc_server(), App::rfc1939());
    pair.client
        .apop(Argument::try_from("mrose").unwrap(), b"wrong")
        .unwrap();
    pair.pump();
    assert_eq!(pair.client.state(), State::Authorization);
    assert_eq!(
        pair.replies(),
        [("APOP".to_owned(), "-ERR invalid password".to_owned())]
    );
    // Without a timestamp, no APOP.
    let mut pair = Pair::new(
        ClientConfig::default(),
        ServerConfig::default(),
        App::rfc1939(),
    );
    assert_eq!(
        pair.client
            .apop(Argument::try_from("mrose").unwrap(), b"tanstaaf"),
        Err(ClientError::NoTimestamp)
    );
    let mut server = Server::new(ServerConfig::default()).unwrap();
    server.poll_transmit();
    server.handle_input(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
    assert_eq!(
        server.poll_transmit().unwrap(),
        &b"-ERR APOP not available\r\n"[..]
    );
}

#[test]
fn deletions_wait_for_update() {
    // DELE, then the connection drops: nothing is removed.
    let mut pair = Pair::new(ClientConfig::default(), rfc_server(), App::rfc1939());
    login(&mut pair);
    pair.client.send(Command::Dele(msg(1))).unwrap();
    pair.pump();
    assert!(pair.server.is_deleted(msg(1)));
    assert!(
        !pair
            .app
            .events
            .iter()
            .any(|e| matches!(e, ServerEvent::Update { .. }))
    );
    assert_eq!(pair.app.updated, None);
    drop(pair);

    // The same with QUIT: UPDATE gets message 1 only.
    let mut pair = Pair::new(ClientConfig::default(), rfc_server(), App::rfc1939());
    login(&mut pair);
    pair.client.send(Command::Dele(msg(1))).unwrap();
    pair.client.send(Command::Stat).unwrap();
    pair.client.send(Command::List(Some(msg(1)))).unwrap();
    pair.client.send(Command::Retr(msg(1))).unwrap();
    pair.client.send(Command::Quit).unwrap();
    pair.pump();
    let replies = pair.replies();
    assert_eq!(replies[2].1, "+OK message 1 deleted");
    assert_eq!(replies[3].1, "+OK 1 200");
    assert_eq!(replies[4].1, "-ERR message 1 already deleted");
    assert_eq!(replies[5].1, "-ERR message 1 already deleted");
    assert_eq!(replies[6].1, "+OK dewey POP3 server signing off");
    assert_eq!(pair.app.updated, Some(vec![msg(1)]));
    // RETR of the deleted message never reached the application.
    assert!(
        !pair
            .app
            .events
            .iter()
            .any(|e| matches!(e, ServerEvent::Retr { .. }))
    );
}

#[test]
fn rset_unmarks() {
    let mut pair = Pair::new(ClientConfig::default(), rfc_server(), App::rfc1939());
    login(&mut pair);
    for command in [
        Command::Dele(msg(1)),
        Command::Dele(msg(2)),
        Command::Stat,
        Command::Rset,
        Command::Stat,
        Command::Quit,
    ] {
        pair.client.send(command).unwrap();
    }
    pair.pump();
    let lines: Vec<String> = pair.replies().into_iter().map(|(_, l)| l).collect();
    assert_eq!(
        &lines[2..],
        [
            "+OK message 1 deleted",
            "+OK message 2 deleted",
            "+OK 0 0",
            "+OK maildrop has 2 messages (320 octets)",
            "+OK 2 320",
            "+OK dewey POP3 server signing off",
        ]
    );
    assert_eq!(pair.app.updated, Some(vec![]));
}

#[test]
fn commands_in_the_wrong_state_are_refused() {
    let mut server = Server::new(rfc_server()).unwrap();
    server.poll_transmit();
    server.handle_input(b"STAT\r\nRETR 1\r\nDELE 1\r\nPASS secret\r\nXTND\r\n");
    assert_eq!(
        server.poll_transmit().unwrap(),
        &b"-ERR command not valid in this state\r\n\
           -ERR command not valid in this state\r\n\
           -ERR command not valid in this state\r\n\
           -ERR USER first\r\n"[..]
    );
    // The unknown command goes to the application, and waits for it.
    assert!(matches!(
        server.poll_event(),
        Some(ServerEvent::Command(Command::Unknown { .. }))
    ));
    assert_eq!(server.finish_message(), Err(SessionError::NotExpected));
    server.send(Response::err("no XTND").unwrap()).unwrap();
    server.handle_input(b"USER mrose\r\nPASS secret\r\n");
    let Some(ServerEvent::Login { user, .. }) = server.poll_event() else {
        panic!()
    };
    assert_eq!(user.as_bytes(), b"mrose");
    // While the login waits, nothing else is answered.
    server.handle_input(b"NOOP\r\n");
    assert_eq!(
        server.poll_transmit().unwrap(),
        &b"-ERR no XTND\r\n+OK send PASS\r\n"[..]
    );
    assert_eq!(
        server.send(Response::ok("yes").unwrap()),
        Err(SessionError::UseAcceptLogin)
    );
    let app = App::rfc1939();
    app.accept(&mut server, "mrose");
    assert_eq!(
        server.poll_transmit().unwrap(),
        &b"+OK mrose's maildrop has 2 messages (320 octets)\r\n+OK\r\n"[..]
    );
    server.handle_input(b"USER x\r\nAPOP a b\r\nSTLS\r\nRETR 3\r\nTOP 0 1\r\nUTF8\r\n");
    assert_eq!(
        String::from_utf8(server.poll_transmit().unwrap().to_vec()).unwrap(),
        "-ERR command not valid in this state\r\n\
         -ERR invalid SASL mechanism name\r\n\
         -ERR command not valid in this state\r\n\
         -ERR no such message\r\n\
         -ERR number out of range\r\n\
         -ERR command not valid in this state\r\n"
            .replace(
                "-ERR invalid SASL mechanism name",
                "-ERR expected 32 hexadecimal digits"
            )
    );
    let errors = std::iter::from_fn(|| server.poll_event()).count();
    assert_eq!(errors, 2, "the two lines that do not decode");

    // The client refuses the same before sending anything.
    let mut client = Client::new(ClientConfig::default());
    assert_eq!(
        client.send(Command::Stat),
        Err(ClientError::WrongState {
            command: CommandKind::Stat,
            state: State::Authorization
        })
    );
    client
        .send(Command::User(Argument::try_from("a").unwrap()))
        .unwrap();
    client
        .send(Command::Pass(Password::try_from("b").unwrap()))
        .unwrap();
    // Once PASS is queued, the client expects TRANSACTION.
    client.send(Command::Stat).unwrap();
    assert!(matches!(
        client.send(Command::User(Argument::try_from("a").unwrap())),
        Err(ClientError::WrongState { .. })
    ));
    client.send(Command::Quit).unwrap();
    assert_eq!(client.send(Command::Noop), Err(ClientError::Closed));
}

fn pipelining_server() -> ServerConfig {
    let mut config = rfc_server();
    config.capabilities.push(Capability::Stls);
    config.capabilities.push(Capability::Utf8 { user: false });
    config
}

#[test]
fn pipelined_commands_are_matched_to_their_replies() {
    let mut pair = Pair::new(ClientConfig::default(), pipelining_server(), App::rfc1939());
    pair.client.send(Command::Capa).unwrap();
    pair.pump();
    assert!(
        pair.client
            .capabilities()
            .unwrap()
            .contains(&Capability::Pipelining)
    );
    login(&mut pair);
    pair.take_events();
    pair.writes.clear();
    for command in [
        Command::List(None),
        Command::Uidl(None),
        Command::Retr(msg(1)),
        Command::Uidl(Some(msg(2))),
        Command::Top {
            msg: msg(2),
            lines: 1,
        },
        Command::Retr(msg(2)),
    ] {
        pair.client.send(command).unwrap();
    }
    // All six were written at once, before any reply.
    assert_eq!(
        pair.client.poll_transmit().unwrap(),
        &b"LIST\r\nUIDL\r\nRETR 1\r\nUIDL 2\r\nTOP 2 1\r\nRETR 2\r\n"[..]
    );
    assert_eq!(pair.client.outstanding(), 6);
    pair.server
        .handle_input(b"LIST\r\nUIDL\r\nRETR 1\r\nUIDL 2\r\nTOP 2 1\r\nRETR 2\r\n");
    pair.pump();

    // Events in order, each reply after its command's.
    let mut seen = Vec::new();
    let mut body = Vec::new();
    for event in &pair.client_events {
        match event {
            ClientEvent::Reply { command, response } => {
                assert!(response.is_ok(), "{response:?}");
                seen.push(format!("{}", String::from_utf8_lossy(command.keyword())));
            }
            ClientEvent::Scan(s) => seen.push(format!("scan {}", s.msg)),
            ClientEvent::UniqueId(u) => seen.push(format!("uid {} {}", u.msg, u.uid.as_str())),
            ClientEvent::MessageChunk(c) => body.extend_from_slice(c),
            ClientEvent::End => {
                seen.push("end".into());
                if !body.is_empty() {
                    seen.push(format!("{} octets", body.len()));
                    body.clear();
                }
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        seen,
        [
            "LIST",
            "scan 1",
            "scan 2",
            "end",
            "UIDL",
            "uid 1 uid-1",
            "uid 2 uid-2",
            "end",
            "RETR",
            "end",
            "120 octets",
            "UIDL",
            "TOP",
            "end",
            "36 octets", // header, blank line, one body line
            "RETR",
            "end",
            "200 octets",
        ]
    );
    let replies = pair.replies();
    assert_eq!(replies[3].1, "+OK 2 uid-2");
}

#[test]
fn without_pipelining_commands_wait_for_replies() {
    let mut pair = Pair::new(ClientConfig::default(), rfc_server(), App::rfc1939());
    login(&mut pair);
    pair.writes.clear();
    pair.client.send(Command::Stat).unwrap();
    pair.client.send(Command::List(None)).unwrap();
    pair.client.send(Command::Noop).unwrap();
    assert_eq!(pair.client.poll_transmit().unwrap(), &b"STAT\r\n"[..]);
    assert_eq!(pair.client.poll_transmit(), None);
    pair.server.handle_input(b"STAT\r\n");
    pair.pump();
    assert_eq!(pair.writes, [b"LIST\r\n".to_vec(), b"NOOP\r\n".to_vec()]);
}

#[test]
fn server_stls_hands_back_what_followed() {
    let mut server = Server::new(pipelining_server()).unwrap();
    server.poll_transmit();
    server.handle_input(b"STLS\r\nUSER evil\r\nPASS secret\r\n");
    assert_eq!(
        server.poll_transmit().unwrap(),
        &b"+OK Begin TLS negotiation now\r\n"[..]
    );
    assert_eq!(
        server.poll_event(),
        Some(ServerEvent::StartTls {
            leftover: BytesMut::from(&b"USER evil\r\nPASS secret\r\n"[..])
        })
    );
    assert_eq!(server.poll_event(), None);
    assert!(server.tls_active());
    // Now over TLS: STLS is gone from CAPA and refused.
    server.handle_input(b"CAPA\r\nSTLS\r\n");
    let out = String::from_utf8(server.poll_transmit().unwrap().to_vec()).unwrap();
    assert_eq!(
        out,
        "+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\nPIPELINING\r\nRESP-CODES\r\n\
         UTF8\r\nSASL PLAIN\r\n.\r\n-ERR STLS not available\r\n"
    );
}

#[test]
fn server_stls_after_a_pending_request() {
    // STLS behind a login that waits: the bytes after STLS are still handed
    // back, never read as TLS.
    let mut server = Server::new(pipelining_server()).unwrap();
    server.poll_transmit();
    server.handle_input(b"USER mrose\r\nPASS bad\r\nSTLS\r\n");
    assert!(matches!(
        server.poll_event(),
        Some(ServerEvent::Login { .. })
    ));
    server.handle_input(b"CAPA\r\n");
    assert!(server.is_waiting());
    assert_eq!(server.buffered_input(), b"STLS\r\nCAPA\r\n".len());
    App::reject(&mut server);
    assert!(!server.is_waiting());
    let Some(ServerEvent::StartTls { leftover }) = server.poll_event() else {
        panic!()
    };
    assert_eq!(&leftover[..], b"CAPA\r\n");
}

#[test]
fn client_stls_hands_back_what_followed() {
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"+OK ready\r\n");
    client.send(Command::Capa).unwrap();
    client.handle_input(b"+OK\r\nSTLS\r\nPIPELINING\r\n.\r\n");
    client.send(Command::Stls).unwrap();
    client.send(Command::Capa).unwrap();
    assert_eq!(client.poll_transmit().unwrap(), &b"CAPA\r\nSTLS\r\n"[..]);
    client.handle_input(b"+OK Begin TLS negotiation now\r\n+OK injected\r\n");
    let events: Vec<_> = std::iter::from_fn(|| client.poll_event()).collect();
    assert!(matches!(
        events.last(),
        Some(ClientEvent::StartTls { leftover }) if &leftover[..] == b"+OK injected\r\n"
    ));
    assert!(client.tls_active());
    assert_eq!(client.capabilities(), None);
    // Nothing is written until TLS is up.
    assert_eq!(client.poll_transmit(), None);
    assert_eq!(
        client.send(Command::Stls),
        Err(ClientError::NotAdvertised("STLS"))
    );
    client.tls_established();
    assert_eq!(client.poll_transmit().unwrap(), &b"CAPA\r\n"[..]);
}

#[test]
fn stls_through_the_pair_resets_capabilities() {
    let mut pair = Pair::new(ClientConfig::default(), pipelining_server(), App::rfc1939());
    pair.client.send(Command::Capa).unwrap();
    pair.pump();
    pair.client.send(Command::Stls).unwrap();
    pair.pump();
    assert!(pair.server.tls_active() && pair.client.tls_active());
    pair.client.send(Command::Capa).unwrap();
    pair.pump();
    assert!(
        !pair
            .client
            .capabilities()
            .unwrap()
            .contains(&Capability::Stls)
    );
    assert!(matches!(
        pair.app.events.as_slice(),
        [ServerEvent::StartTls { leftover }] if leftover.is_empty()
    ));
}

#[test]
fn client_sends_utf8_and_stls_only_when_advertised() {
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(b"+OK ready\r\n");
    assert_eq!(
        client.send(Command::Stls),
        Err(ClientError::NotAdvertised("STLS"))
    );
    assert_eq!(
        client.send(Command::Utf8),
        Err(ClientError::NotAdvertised("UTF8"))
    );
    client.send(Command::Capa).unwrap();
    client.handle_input(b"+OK\r\nTOP\r\nUSER\r\n.\r\n");
    assert_eq!(
        client.send(Command::Stls),
        Err(ClientError::NotAdvertised("STLS"))
    );
    assert_eq!(
        client.send(Command::Utf8),
        Err(ClientError::NotAdvertised("UTF8"))
    );
    client.send(Command::Capa).unwrap();
    client.handle_input(b"+OK\r\nSTLS\r\nUTF8 USER\r\n.\r\n");
    client.send(Command::Utf8).unwrap();
    client.handle_input(b"+OK UTF8 enabled\r\n");
    assert!(client.utf8_enabled());
    client.send(Command::Stls).unwrap();
}

#[test]
fn require_tls() {
    let mut config = ClientConfig::default();
    config.require_tls = true;
    let mut client = Client::new(config);
    client.handle_input(b"+OK ready\r\n");
    assert_eq!(
        client.send(Command::User(Argument::try_from("a").unwrap())),
        Err(ClientError::TlsRequired)
    );
    assert_eq!(
        client.authenticate(sasl::Client::new(sasl::ClientMechanism::plain("a", "b")).unwrap()),
        Err(ClientError::TlsRequired)
    );
    client.send(Command::Capa).unwrap();
    client.handle_input(b"+OK\r\nUSER\r\n.\r\n");
    let events: Vec<_> = std::iter::from_fn(|| client.poll_event()).collect();
    assert_eq!(
        events.last(),
        Some(&ClientEvent::Error(ClientError::TlsRequired))
    );

    // Over TLS from the start, the login goes out.
    let mut config = ClientConfig::default();
    config.require_tls = true;
    config.tls_active = true;
    let mut client = Client::new(config);
    client.handle_input(b"+OK ready\r\n");
    client
        .send(Command::User(Argument::try_from("a").unwrap()))
        .unwrap();
    assert_eq!(client.poll_transmit().unwrap(), &b"USER a\r\n"[..]);

    // A server that refuses STLS.
    let mut config = ClientConfig::default();
    config.require_tls = true;
    let mut client = Client::new(config);
    client.handle_input(b"+OK ready\r\n");
    client.send(Command::Capa).unwrap();
    client.handle_input(b"+OK\r\nSTLS\r\n.\r\n");
    client.send(Command::Stls).unwrap();
    client.handle_input(b"-ERR not now\r\n");
    let events: Vec<_> = std::iter::from_fn(|| client.poll_event()).collect();
    assert_eq!(
        events.last(),
        Some(&ClientEvent::Error(ClientError::TlsRequired))
    );
}

#[test]
fn server_without_plaintext_login_offers_it_after_tls() {
    let mut config = pipelining_server();
    config.plaintext_login = false;
    let mut server = Server::new(config).unwrap();
    server.poll_transmit();
    server.handle_input(b"CAPA\r\nUSER mrose\r\nAUTH PLAIN\r\n");
    assert_eq!(
        String::from_utf8(server.poll_transmit().unwrap().to_vec()).unwrap(),
        "+OK Capability list follows\r\nTOP\r\nUIDL\r\nPIPELINING\r\nRESP-CODES\r\nSTLS\r\n\
         UTF8\r\n.\r\n-ERR USER not available\r\n-ERR unsupported SASL mechanism\r\n"
    );
    server.handle_input(b"STLS\r\n");
    server.poll_transmit();
    server.handle_input(b"USER mrose\r\n");
    assert_eq!(server.poll_transmit().unwrap(), &b"+OK send PASS\r\n"[..]);
}

/// `AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=` (RFC 5034 §6, first example).
fn plain_test() -> sasl::Client {
    sasl::Client::new(sasl::ClientMechanism::Plain {
        authzid: Some("test".into()),
        authcid: "test".into(),
        password: "test".into(),
    })
    .unwrap()
}

#[test]
fn auth_plain_with_initial_response_rfc5034() {
    let mut config = ServerConfig::default();
    config.greeting = Text::try_from("pop.example.com BlurdyBlurp POP3 server ready").unwrap();
    config.tls_active = true;
    let mut pair = Pair::new(ClientConfig::default(), config, App::rfc1939());
    pair.client.authenticate(plain_test()).unwrap();
    pair.pump();
    assert_eq!(
        String::from_utf8_lossy(&pair.c2s),
        "AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&pair.s2c),
        "+OK pop.example.com BlurdyBlurp POP3 server ready\r\n\
         +OK Maildrop locked and ready\r\n"
    );
    assert_eq!(pair.client.state(), State::Transaction);
    assert!(matches!(
        &pair.app.events[..],
        [ServerEvent::Auth { mechanism, credentials }]
            if *mechanism == sasl::Mechanism::PLAIN && credentials.username() == Some("test")
    ));
}

#[test]
fn auth_plain_with_continuation_rfc5034() {
    // The second example of RFC 5034 §6, byte for byte on the server.
    let mut server = Server::new(ServerConfig::default()).unwrap();
    server.poll_transmit();
    server.handle_input(b"AUTH PLAIN\r\n");
    assert_eq!(server.poll_transmit().unwrap(), &b"+ \r\n"[..]);
    server.handle_input(b"dGVzdAB0ZXN0AHRlc3Q=\r\n");
    let Some(ServerEvent::Auth { credentials, .. }) = server.poll_event() else {
        panic!()
    };
    assert!(credentials.verify_password(b"test"));
    server
        .accept_login(
            Maildrop::default(),
            Text::try_from("Maildrop locked and ready").unwrap(),
        )
        .unwrap();
    assert_eq!(
        server.poll_transmit().unwrap(),
        &b"+OK Maildrop locked and ready\r\n"[..]
    );

    // The client answers the empty challenge with the same message when
    // its initial response does not fit the command line.
    let long = "p".repeat(250);
    let mut pair = Pair::new(
        ClientConfig::default(),
        ServerConfig::default(),
        App::rfc1939(),
    );
    pair.client
        .authenticate(
            sasl::Client::new(sasl::ClientMechanism::plain("test", long.as_str())).unwrap(),
        )
        .unwrap();
    pair.pump();
    let c2s = String::from_utf8_lossy(&pair.c2s).into_owned();
    assert!(c2s.starts_with("AUTH PLAIN\r\n"), "{c2s}");
    assert_eq!(c2s.lines().count(), 2);
    assert!(String::from_utf8_lossy(&pair.s2c).contains("\r\n+ \r\n-ERR invalid password\r\n"));
}

#[test]
fn auth_cancel_and_bad_lines() {
    let mut server = Server::new(ServerConfig::default()).unwrap();
    server.poll_transmit();
    server.handle_input(b"AUTH PLAIN\r\n*\r\nAUTH PLAIN\r\nnot base64!\r\nAUTH X-NONE\r\nAUTH\r\n");
    assert_eq!(
        String::from_utf8(server.poll_transmit().unwrap().to_vec()).unwrap(),
        "+ \r\n-ERR authentication cancelled\r\n\
         + \r\n-ERR invalid SASL response; authentication ended\r\n\
         -ERR unsupported SASL mechanism\r\n\
         +OK SASL mechanisms follow\r\nPLAIN\r\n.\r\n"
    );
    assert!(matches!(server.poll_event(), Some(ServerEvent::Error(_))));
    assert_eq!(server.state(), State::Authorization);

    // LOGIN through the pair: two challenges.
    let mut config = ServerConfig::default();
    config.mechanisms = vec![sasl::Mechanism::LOGIN];
    let mut pair = Pair::new(ClientConfig::default(), config, App::rfc1939());
    pair.client
        .authenticate(sasl::Client::new(sasl::ClientMechanism::login("test", "test")).unwrap())
        .unwrap();
    pair.pump();
    assert_eq!(
        String::from_utf8_lossy(&pair.c2s),
        "AUTH LOGIN\r\ndGVzdA==\r\ndGVzdA==\r\n"
    );
    assert_eq!(pair.client.state(), State::Transaction);
}

#[test]
fn quit_in_authorization_closes_without_update() {
    let mut pair = Pair::new(ClientConfig::default(), rfc_server(), App::rfc1939());
    pair.client.send(Command::Quit).unwrap();
    pair.pump();
    assert!(pair.server.is_closed());
    assert_eq!(pair.app.updated, None);
    assert_eq!(pair.replies()[0].1, "+OK POP3 server signing off");
    // Input after the end is ignored.
    pair.server.handle_input(b"USER x\r\n");
    assert_eq!(pair.server.poll_transmit(), None);
}
