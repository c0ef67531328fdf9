//! Client and server sessions driven against each other in memory, with
//! the RFCs' own session traces: RFC 5321 Appendix D, RFC 2920 (PIPELINING),
//! RFC 2033 (LMTP), RFC 3030 (CHUNKING), RFC 3207 (STARTTLS), RFC 4954
//! (AUTH). The client's bytes must equal the trace's `C:` lines; the
//! server's replies come from the trace for the application's decisions
//! and from the session itself elsewhere.

#![allow(clippy::field_reassign_with_default)]

use mailwire_sasl as sasl;
use mailwire_smtp::decode::{DataRefusal, ReplyDecoder};
use mailwire_smtp::session::{
    Client, ClientConfig, ClientError, ClientEvent, Extensions, HelloKind, Server, ServerConfig,
    ServerError, ServerEvent,
};
use mailwire_smtp::types::{
    Command, Domain, ForwardPath, Host, Mailbox, Reply, ReplyCode, ReplyText, ReversePath,
};
use mailwire_smtp::{Limits, decode};

/// The application's answer to a decision: `None` accepts with the
/// session's default reply. The second argument is the index of the reply
/// about to be sent (the greeting is 0).
type Decide<'a> = dyn FnMut(&ServerEvent, usize) -> Option<Reply<'static>> + 'a;

struct Pair {
    server: Server,
    client: Client,
    s2c: Vec<u8>,
    c2s: Vec<u8>,
    server_events: Vec<ServerEvent>,
    client_events: Vec<ClientEvent>,
    /// Largest single client write, to see pipelined groups.
    client_writes: Vec<Vec<u8>>,
}

fn replies(bytes: &[u8]) -> Vec<Reply<'static>> {
    let mut d = ReplyDecoder::new(Limits::default());
    d.push(bytes);
    let mut out = Vec::new();
    while let Some(r) = d.next_reply() {
        out.push(r.expect("the server writes valid replies"));
    }
    out
}

fn reply(text: &str) -> Reply<'static> {
    let bytes = format!("{}\r\n", text.replace('\n', "\r\n"));
    decode::reply(bytes.as_bytes(), &Limits::default())
        .unwrap()
        .complete()
        .unwrap()
        .0
        .into_owned()
}

impl Pair {
    fn new(server: ServerConfig, client: ClientConfig) -> Self {
        let mut server = Server::new(server);
        server.greeting();
        Self {
            server,
            client: Client::new(client),
            s2c: Vec::new(),
            c2s: Vec::new(),
            server_events: Vec::new(),
            client_events: Vec::new(),
            client_writes: Vec::new(),
        }
    }

    fn flush_server(&mut self) -> bool {
        let mut moved = false;
        while let Some(b) = self.server.poll_transmit() {
            self.s2c.extend_from_slice(&b);
            self.client.handle_input(&b);
            moved = true;
        }
        moved
    }

    /// Runs until nothing moves, answering decisions with `decide`; a
    /// `STARTTLS` is completed on both sides as if the handshake ran.
    fn run(&mut self, decide: &mut Decide<'_>) {
        for _ in 0..1000 {
            let mut moved = self.flush_server();
            while let Some(b) = self.client.poll_transmit() {
                self.c2s.extend_from_slice(&b);
                self.client_writes.push(b.to_vec());
                self.server.handle_input(&b);
                moved = true;
            }
            while let Some(event) = self.server.poll_event() {
                moved = true;
                while self.server.is_pending() {
                    self.flush_server();
                    let n = replies(&self.s2c).len();
                    match decide(&event, n) {
                        Some(r) => self.server.send(&r).unwrap(),
                        None => self.server.accept().unwrap(),
                    }
                }
                self.server_events.push(event);
            }
            self.flush_server();
            while let Some(event) = self.client.poll_event() {
                moved = true;
                if let ClientEvent::StartTls { .. } = event {
                    self.server.tls_established();
                    self.client.tls_established();
                }
                self.client_events.push(event);
            }
            if !moved {
                return;
            }
        }
        panic!("the sessions never settled");
    }

    fn run_accepting(&mut self) {
        self.run(&mut |_, _| None);
    }

    fn client_replies(&self) -> Vec<(String, u16)> {
        self.client_events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Reply { command, reply } => {
                    Some((command.verb().to_owned(), reply.code().get()))
                }
                _ => None,
            })
            .collect()
    }

    fn body(&self) -> Vec<u8> {
        let mut body = Vec::new();
        for e in &self.server_events {
            if let ServerEvent::DataChunk(b) = e {
                body.extend_from_slice(b);
            }
        }
        body
    }
}

/// A trace's lines: (from the client, text) in order.
fn parse(trace: &str, client: &str, server: &str) -> Vec<(bool, String)> {
    trace
        .lines()
        .map(str::trim_start)
        .filter_map(|l| {
            // One space after the prefix; the rest of the line is as sent.
            let text = |rest: &str| rest.strip_prefix(' ').unwrap_or(rest).to_owned();
            if let Some(rest) = l.strip_prefix(client) {
                Some((true, text(rest)))
            } else {
                l.strip_prefix(server).map(|rest| (false, text(rest)))
            }
        })
        .filter(|(_, l)| !l.starts_with('<'))
        .collect()
}

/// Replays `trace`: the client is given the trace's commands and bodies,
/// the server's application answers each decision with the trace's reply.
/// Checks that the client wrote exactly the trace's `C:` lines and that
/// the server's replies have the trace's codes (and its bytes, when
/// `exact`).
fn replay(
    trace: &str,
    (c, s): (&str, &str),
    server: ServerConfig,
    client: ClientConfig,
    exact: bool,
) -> Pair {
    let lines = parse(trace, c, s);
    let mut expected_c2s = Vec::new();
    let mut expected_s2c = Vec::new();
    for (from_client, line) in &lines {
        let out = if *from_client {
            &mut expected_c2s
        } else {
            &mut expected_s2c
        };
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let expected = replies(&expected_s2c);
    let mut pair = Pair::new(server, client);
    let mut body: Option<Vec<u8>> = None;
    let has_body = lines.iter().any(|(c, l)| *c && l == ".");
    for (from_client, line) in lines.iter().filter(|(c, _)| *c) {
        assert!(from_client);
        if let Some(b) = body.as_mut() {
            if line == "." {
                pair.client.send_data(b).unwrap();
                pair.client.end_data().unwrap();
                body = None;
            } else {
                // The trace shows the wire: undo the dot-stuffing.
                b.extend_from_slice(line.strip_prefix('.').unwrap_or(line).as_bytes());
                b.extend_from_slice(b"\r\n");
            }
            continue;
        }
        let wire = format!("{line}\r\n");
        let (command, _) = decode::command(wire.as_bytes(), &Limits::default())
            .unwrap()
            .complete()
            .unwrap();
        let data = command == Command::Data;
        pair.client.send(command).unwrap();
        if data && has_body {
            body = Some(Vec::new());
        } else if data {
            // Refused DATA: the body given is never sent.
            pair.client.end_data().unwrap();
        }
    }
    pair.run(&mut |_, n| Some(expected[n].clone()));
    assert_eq!(
        String::from_utf8_lossy(&pair.c2s),
        String::from_utf8_lossy(&expected_c2s),
        "client bytes"
    );
    let got = replies(&pair.s2c);
    let codes = |r: &[Reply<'_>]| r.iter().map(|r| r.code().get()).collect::<Vec<_>>();
    assert_eq!(codes(&got), codes(&expected), "server reply codes");
    if exact {
        assert_eq!(
            String::from_utf8_lossy(&pair.s2c),
            String::from_utf8_lossy(&expected_s2c),
            "server bytes"
        );
    }
    // Every client command got its reply, matched in order.
    let commands = pair.client_replies();
    assert!(commands.iter().all(|(verb, _)| !verb.is_empty()));
    pair
}

fn server_config(host: &'static str, greeting: &'static str) -> ServerConfig {
    let mut config = ServerConfig::new(Domain::new(host).unwrap());
    config.greeting = ReplyText::new(greeting.as_bytes()).unwrap();
    config.extensions = Extensions::default();
    config.extensions.eight_bit_mime = true;
    config.extensions.size = true;
    config.extensions.dsn = true;
    config
}

fn client_config(host: &'static str) -> ClientConfig {
    ClientConfig::new(Host::parse(host).unwrap())
}

fn mailbox(s: &'static str) -> ForwardPath<'static> {
    ForwardPath::Mailbox(Mailbox::parse(s).unwrap())
}

fn mail(from: &'static str) -> Command<'static> {
    Command::Mail {
        from: ReversePath::Mailbox(Mailbox::parse(from).unwrap()),
        params: Default::default(),
        source_route: false,
    }
}

fn rcpt(to: &'static str) -> Command<'static> {
    Command::Rcpt {
        to: mailbox(to),
        params: Default::default(),
        source_route: false,
    }
}

const D1: &str = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<Smith@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@foo.com>
      S: 250 OK
      C: RCPT TO:<Green@foo.com>
      S: 550 No such user here
      C: RCPT TO:<Brown@foo.com>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ...etc. etc. etc.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";

#[test]
fn rfc5321_d1_typical_transaction() {
    let pair = replay(
        D1,
        ("C:", "S:"),
        server_config("foo.com", "Simple Mail Transfer Service Ready"),
        client_config("bar.com"),
        true,
    );
    assert_eq!(pair.body(), b"Blah blah blah...\r\n..etc. etc. etc.\r\n");
    // The server's application saw each command in order.
    let kinds: Vec<_> = pair
        .server_events
        .iter()
        .filter(|e| !matches!(e, ServerEvent::DataChunk(_)))
        .map(|e| {
            format!("{e:?}")
                .split([' ', '(', '{'])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Hello",
            "Mail",
            "Rcpt",
            "Rcpt",
            "Rcpt",
            "DataStart",
            "DataEnd",
            "Quit"
        ]
    );
    // The client: replies matched to commands, partial success reported.
    assert_eq!(
        pair.client_replies(),
        [
            ("EHLO".into(), 250),
            ("MAIL".into(), 250),
            ("RCPT".into(), 250),
            ("RCPT".into(), 550),
            ("RCPT".into(), 250),
            ("DATA".into(), 354),
            ("QUIT".into(), 221),
        ]
    );
    let results = pair
        .client_events
        .iter()
        .find_map(|e| match e {
            ClientEvent::RecipientResults { accepted, rejected } => Some((accepted, rejected)),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        results.0,
        &[mailbox("Jones@foo.com"), mailbox("Brown@foo.com")]
    );
    assert_eq!(results.1.len(), 1);
    assert_eq!(results.1[0].0, mailbox("Green@foo.com"));
    assert_eq!(results.1[0].1.code().get(), 550);
    let Some(ClientEvent::DataResult { reply, recipients }) = pair
        .client_events
        .iter()
        .find(|e| matches!(e, ClientEvent::DataResult { .. }))
    else {
        panic!("no data result")
    };
    assert_eq!(reply.code(), ReplyCode::OK);
    assert_eq!(recipients.len(), 2);
    let Some(ClientEvent::Capabilities(caps)) = pair
        .client_events
        .iter()
        .find(|e| matches!(e, ClientEvent::Capabilities(_)))
    else {
        panic!("no capabilities")
    };
    assert!(caps.contains("DSN") && caps.contains("HELP"));
    assert!(pair.client.is_closed() && pair.server.is_closed());
}

#[test]
fn rfc5321_d2_aborted_transaction() {
    let trace = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<Smith@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@foo.com>
      S: 250 OK
      C: RCPT TO:<Green@foo.com>
      S: 550 No such user here
      C: RSET
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";
    let pair = replay(
        trace,
        ("C:", "S:"),
        server_config("foo.com", "Simple Mail Transfer Service Ready"),
        client_config("bar.com"),
        true,
    );
    assert!(pair.server_events.contains(&ServerEvent::Reset));
    assert!(pair.body().is_empty());
}

#[test]
fn rfc5321_d3_relayed_mail() {
    let step1 = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250 HELP
      C: MAIL FROM:<JQP@bar.com>
      S: 250 OK
      C: RCPT TO:<Jones@XYZ.COM>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Date: Thu, 21 May 1998 05:33:29 -0700
      C: From: John Q. Public <JQP@bar.com>
      C: Subject: The Next Meeting of the Board
      C: To: Jones@xyz.com
      C:
      C: Bill:
      C: The next meeting of the board of directors will be
      C: on Tuesday.
      C: John.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";
    let pair = replay(
        step1,
        ("C:", "S:"),
        server_config("foo.com", "Simple Mail Transfer Service Ready"),
        client_config("bar.com"),
        true,
    );
    let message = pair.body();
    assert!(message.starts_with(b"Date: Thu, 21 May 1998 05:33:29 -0700\r\n"));
    assert!(message.ends_with(b"\r\n\r\nBill:\r\nThe next meeting of the board of directors will be\r\non Tuesday.\r\nJohn.\r\n"));

    // Step 2: the relay passes the message on with a Received field. The
    // trace's closing reply names foo.com; the session names itself.
    let step2 = "
           S: 220 xyz.com Simple Mail Transfer Service Ready
           C: EHLO foo.com
           S: 250 xyz.com is on the air
           C: MAIL FROM:<JQP@bar.com>
           S: 250 OK
           C: RCPT TO:<Jones@XYZ.COM>
           S: 250 OK
           C: DATA
           S: 354 Start mail input; end with <CRLF>.<CRLF>
           C: Received: from bar.com by foo.com ; Thu, 21 May 1998
           C:     05:33:29 -0700
           C: Date: Thu, 21 May 1998 05:33:22 -0700
           C: From: John Q. Public <JQP@bar.com>
           C: Subject:  The Next Meeting of the Board
           C: To: Jones@xyz.com
           C:
           C: Bill:
           C: The next meeting of the board of directors will be
           C: on Tuesday.
           C:                         John.
           C: .
           S: 250 OK
           C: QUIT
           S: 221 foo.com Service closing transmission channel
";
    let pair = replay(
        step2,
        ("C:", "S:"),
        server_config("xyz.com", "Simple Mail Transfer Service Ready"),
        client_config("foo.com"),
        false,
    );
    // A one-line EHLO reply: no extensions, so no pipelining.
    assert!(pair.client.capabilities().unwrap().iter().next().is_none());
    assert!(
        pair.body()
            .starts_with(b"Received: from bar.com by foo.com ; Thu, 21 May 1998\r\n    05:33:29")
    );
}

#[test]
fn rfc5321_d4_verify_and_send() {
    let trace = "
      S: 220 foo.com Simple Mail Transfer Service Ready
      C: EHLO bar.com
      S: 250-foo.com greets bar.com
      S: 250-8BITMIME
      S: 250-SIZE
      S: 250-DSN
      S: 250-VRFY
      S: 250 HELP
      C: VRFY Crispin
      S: 250 Mark Crispin <Admin.MRC@foo.com>
      C: MAIL FROM:<EAK@bar.com>
      S: 250 OK
      C: RCPT TO:<Admin.MRC@foo.com>
      S: 250 OK
      C: DATA
      S: 354 Start mail input; end with <CRLF>.<CRLF>
      C: Blah blah blah...
      C: ...etc. etc. etc.
      C: .
      S: 250 OK
      C: QUIT
      S: 221 foo.com Service closing transmission channel
";
    let pair = replay(
        trace,
        ("C:", "S:"),
        server_config("foo.com", "Simple Mail Transfer Service Ready"),
        client_config("bar.com"),
        true,
    );
    assert!(
        pair.server_events
            .iter()
            .any(|e| matches!(e, ServerEvent::Other(Command::Vrfy { .. })))
    );
    assert_eq!(pair.client_replies()[1], ("VRFY".into(), 250));
}

fn pipelining_config() -> ServerConfig {
    let mut config = server_config("innosoft.com", "SMTP service ready");
    config.extensions.pipelining = true;
    config
}

#[test]
fn rfc2920_pipelined_transaction_replies_in_order() {
    let trace = r#"
   S: 220 innosoft.com SMTP service ready
   C: EHLO dbc.mtview.ca.us
   S: 250-innosoft.com
   S: 250 PIPELINING
   C: MAIL FROM:<mrose@dbc.mtview.ca.us>
   C: RCPT TO:<ned@innosoft.com>
   C: RCPT TO:<dan@innosoft.com>
   C: RCPT TO:<kvc@innosoft.com>
   C: DATA
   S: 250 sender <mrose@dbc.mtview.ca.us> OK
   S: 250 recipient <ned@innosoft.com> OK
   S: 250 recipient <dan@innosoft.com> OK
   S: 250 recipient <kvc@innosoft.com> OK
   S: 354 enter mail, end with line containing only "."
   C: .
   C: QUIT
   S: 250 message sent
   S: 221 goodbye
"#;
    let pair = replay(
        trace,
        ("C:", "S:"),
        pipelining_config(),
        client_config("dbc.mtview.ca.us"),
        false,
    );
    // The group went out in one write, and so did the end of data with QUIT.
    assert!(pair.client_writes.iter().any(|w| w
        == b"MAIL FROM:<mrose@dbc.mtview.ca.us>\r\nRCPT TO:<ned@innosoft.com>\r\n\
              RCPT TO:<dan@innosoft.com>\r\nRCPT TO:<kvc@innosoft.com>\r\nDATA\r\n"));
    assert!(pair.client_writes.iter().any(|w| w == b".\r\nQUIT\r\n"));
    assert_eq!(
        pair.client_replies(),
        [
            ("EHLO".into(), 250),
            ("MAIL".into(), 250),
            ("RCPT".into(), 250),
            ("RCPT".into(), 250),
            ("RCPT".into(), 250),
            ("DATA".into(), 354),
            ("QUIT".into(), 221),
        ]
    );
}

#[test]
fn rfc2920_no_valid_recipients() {
    let trace = "
   S: 220 innosoft.com SMTP service ready
   C: EHLO dbc.mtview.ca.us
   S: 250-innosoft.com
   S: 250 PIPELINING
   C: MAIL FROM:<mrose@dbc.mtview.ca.us>
   C: RCPT TO:<nsb@thumper.bellcore.com>
   C: RCPT TO:<galvin@tis.com>
   C: DATA
   S: 250 sender <mrose@dbc.mtview.ca.us> OK
   S: 550 remote mail to <nsb@thumper.bellore.com> not allowed
   S: 550 remote mail to <galvin@tis.com> not allowed
   S: 554 no valid recipients given
   C: QUIT
   S: 221 goodbye
";
    let pair = replay(
        trace,
        ("C:", "S:"),
        pipelining_config(),
        client_config("dbc.mtview.ca.us"),
        false,
    );
    // The session refused DATA itself: no recipient was accepted.
    assert!(
        pair.server_events
            .contains(&ServerEvent::Error(ServerError::Refused {
                verb: "DATA".into(),
                code: ReplyCode::TRANSACTION_FAILED,
            }))
    );
    assert!(!pair.server_events.contains(&ServerEvent::DataStart));
    let Some(ClientEvent::RecipientResults { accepted, rejected }) = pair
        .client_events
        .iter()
        .find(|e| matches!(e, ClientEvent::RecipientResults { .. }))
    else {
        panic!()
    };
    assert!(accepted.is_empty());
    assert_eq!(rejected.len(), 2);
}

#[test]
fn rfc2033_lmtp_one_reply_per_recipient() {
    let trace = "
   S: 220 foo.edu LMTP server ready
   C: LHLO foo.edu
   S: 250-foo.edu
   S: 250-PIPELINING
   S: 250 SIZE
   C: MAIL FROM:<chris@bar.com>
   S: 250 OK
   C: RCPT TO:<pat@foo.edu>
   S: 250 OK
   C: RCPT TO:<jones@foo.edu>
   S: 550 No such user here
   C: RCPT TO:<green@foo.edu>
   S: 250 OK
   C: DATA
   S: 354 Start mail input; end with <CRLF>.<CRLF>
   C: Blah blah blah...
   C: ...etc. etc. etc.
   C: .
   S: 250 OK
   S: 452 <green@foo.edu> is temporarily over quota
   C: QUIT
   S: 221 foo.edu closing connection
";
    let mut server = server_config("foo.edu", "LMTP server ready");
    server.lmtp = true;
    server.extensions.pipelining = true;
    let mut client = client_config("foo.edu");
    client.lmtp = true;
    let pair = replay(trace, ("C:", "S:"), server, client, false);
    let Some(ClientEvent::DataResult { recipients, .. }) = pair
        .client_events
        .iter()
        .find(|e| matches!(e, ClientEvent::DataResult { .. }))
    else {
        panic!()
    };
    let got: Vec<_> = recipients
        .iter()
        .map(|(to, r)| (to.to_string(), r.code().get()))
        .collect();
    assert_eq!(
        got,
        [
            ("<pat@foo.edu>".to_owned(), 250),
            ("<green@foo.edu>".to_owned(), 452)
        ]
    );
}

#[test]
fn lmtp_refuses_ehlo_and_smtp_refuses_lhlo() {
    let mut config = server_config("foo.edu", "LMTP server ready");
    config.lmtp = true;
    let mut server = Server::new(config);
    server.handle_input(b"EHLO a.example\r\nHELO a.example\r\nLHLO a.example\r\n");
    let e = server.poll_event().unwrap();
    assert!(
        matches!(e, ServerEvent::Error(ServerError::Refused { code, .. }) if code.get() == 500)
    );
    assert!(matches!(server.poll_event(), Some(ServerEvent::Error(_))));
    assert!(matches!(
        server.poll_event(),
        Some(ServerEvent::Hello {
            kind: HelloKind::Lhlo,
            ..
        })
    ));
    let mut server = Server::new(server_config("foo.com", "ready"));
    server.handle_input(b"LHLO a.example\r\n");
    assert!(matches!(server.poll_event(), Some(ServerEvent::Error(_))));
}

#[test]
fn rfc3030_bdat_single_chunk() {
    let mut config = server_config("cnri.reston.va.us", "SMTP service ready");
    config.extensions.chunking = true;
    let mut pair = Pair::new(config, client_config("ymir.claremont.edu"));
    let body = b"To: Susan@random.com\r\nFrom: Sam@random.com\r\nSubject: This is a bodyless test message\r\n";
    assert_eq!(body.len(), 86);
    pair.client.hello().unwrap();
    pair.run_accepting();
    pair.client.send(mail("Sam@Random.com")).unwrap();
    pair.client.send(rcpt("Susan@Random.com")).unwrap();
    pair.client.send_bdat(&body[..], true).unwrap();
    pair.client.send(Command::Quit).unwrap();
    pair.run(&mut |e, _| match e {
        ServerEvent::DataEnd { size: 86, .. } => Some(reply("250 Message OK, 86 octets received")),
        _ => None,
    });
    assert!(pair.c2s.ends_with(
        b"BDAT 86 LAST\r\nTo: Susan@random.com\r\nFrom: Sam@random.com\r\n\
          Subject: This is a bodyless test message\r\nQUIT\r\n"
    ));
    assert_eq!(pair.body(), body);
    assert!(pair.server_events.contains(&ServerEvent::BdatStart {
        size: 86,
        last: true
    }));
    assert!(pair.client_events.iter().any(|e| matches!(
        e,
        ClientEvent::DataResult { reply, .. } if reply.text().as_bytes() == b"Message OK, 86 octets received"
    )));
}

#[test]
fn rfc3030_pipelined_chunks() {
    let mut config = server_config("cnri.reston.va.us", "SMTP service ready");
    config.extensions = Extensions::default();
    config.extensions.chunking = true;
    config.extensions.pipelining = true;
    config.extensions.other = vec![ReplyText::new(&b"BINARYMIME"[..]).unwrap()];
    let mut pair = Pair::new(config, client_config("ymir.claremont.edu"));
    pair.client.hello().unwrap();
    pair.run_accepting();
    let first: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let second = vec![0u8; 324];
    pair.client.send(mail("ned@ymir.claremont.edu")).unwrap();
    pair.client.send(rcpt("gvaudre@cnri.reston.va.us")).unwrap();
    pair.client
        .send(rcpt("jstewart@cnri.reston.va.us"))
        .unwrap();
    pair.client.send_bdat(first.clone(), false).unwrap();
    pair.client.send_bdat(second.clone(), false).unwrap();
    pair.client.send_bdat(Vec::new(), true).unwrap();
    pair.client.send(Command::Quit).unwrap();
    pair.run(&mut |e, _| match e {
        ServerEvent::DataEnd { size, .. } => {
            Some(reply(&format!("250 Message OK, {size} octets received")))
        }
        _ => None,
    });
    let mut expected = first;
    expected.extend_from_slice(&second);
    assert_eq!(pair.body(), expected);
    let texts: Vec<String> = replies(&pair.s2c)
        .iter()
        .map(|r| String::from_utf8_lossy(&r.to_bytes_lossless()).into_owned())
        .collect();
    assert!(texts.contains(&"250 100000 octets received".to_owned()));
    assert!(texts.contains(&"250 324 octets received".to_owned()));
    assert!(texts.contains(&"250 Message OK, 100324 octets received".to_owned()));
    assert_eq!(
        pair.client_replies()
            .iter()
            .filter(|(v, _)| v == "BDAT")
            .count(),
        2
    );
}

trait Lossless {
    fn to_bytes_lossless(&self) -> Vec<u8>;
}

impl Lossless for Reply<'_> {
    fn to_bytes_lossless(&self) -> Vec<u8> {
        let mut out = format!("{} ", self.code()).into_bytes();
        out.extend_from_slice(self.text().as_bytes());
        out
    }
}

fn tls_config() -> ServerConfig {
    let mut config = server_config("mail.imc.org", "SMTP service ready");
    config.extensions = Extensions::default();
    config.extensions.eight_bit_mime = true;
    config.extensions.starttls = true;
    config.extensions.dsn = true;
    config
}

#[test]
fn rfc3207_starttls_resets_capabilities() {
    let mut pair = Pair::new(tls_config(), client_config("mail.example.com"));
    pair.client.hello().unwrap();
    pair.client.send(Command::StartTls).unwrap();
    pair.client.hello().unwrap();
    pair.client.send(Command::Quit).unwrap();
    pair.run_accepting();
    assert_eq!(
        String::from_utf8_lossy(&pair.c2s),
        "EHLO mail.example.com\r\nSTARTTLS\r\nEHLO mail.example.com\r\nQUIT\r\n"
    );
    let caps: Vec<Vec<String>> = pair
        .client_events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Capabilities(c) => Some(c.iter().map(|c| format!("{c:?}")).collect()),
            _ => None,
        })
        .collect();
    assert_eq!(caps.len(), 2);
    assert!(caps[0].contains(&"StartTls".to_owned()));
    assert!(!caps[1].contains(&"StartTls".to_owned()));
    assert_eq!(caps[1].len(), 2); // 8BITMIME, DSN
    assert!(pair.server.is_tls() && pair.client.is_tls());
    let hellos = pair
        .server_events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Hello { .. }))
        .count();
    assert_eq!(hellos, 2);
}

#[test]
fn server_hands_back_bytes_pipelined_after_starttls() {
    let mut server = Server::new(tls_config());
    server.greeting();
    server.handle_input(b"EHLO mail.example.com\r\nSTARTTLS\r\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<x@y.example>\r\n");
    assert!(matches!(
        server.poll_event(),
        Some(ServerEvent::Hello { .. })
    ));
    server.accept().unwrap();
    let Some(ServerEvent::StartTls { leftover }) = server.poll_event() else {
        panic!()
    };
    assert_eq!(
        &leftover[..],
        b"MAIL FROM:<evil@example.com>\r\nRCPT TO:<x@y.example>\r\n"
    );
    // Nothing more until the handshake, and plaintext given meanwhile is dropped.
    server.handle_input(b"MAIL FROM:<evil@example.com>\r\n");
    assert_eq!(server.poll_event(), None);
    let out = server.poll_transmit().unwrap();
    assert!(out.ends_with(b"220 Ready to start TLS\r\n"));
    server.tls_established();
    assert_eq!(server.poll_event(), None);
    // Before a new EHLO, MAIL is out of order.
    server.handle_input(b"MAIL FROM:<a@example.com>\r\n");
    assert!(matches!(
        server.poll_event(),
        Some(ServerEvent::Error(ServerError::Refused { code, .. })) if code == ReplyCode::BAD_SEQUENCE
    ));
}

#[test]
fn client_hands_back_bytes_after_the_220() {
    let mut client = Client::new(client_config("mail.example.com"));
    client.hello().unwrap();
    client.send(Command::StartTls).unwrap();
    client.hello().unwrap();
    client.handle_input(b"220 mail.imc.org SMTP service ready\r\n");
    client.handle_input(b"250-mail.imc.org offers a warm hug of welcome\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 DSN\r\n");
    let mut events = Vec::new();
    while let Some(e) = client.poll_event() {
        events.push(e);
    }
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"EHLO mail.example.com\r\nSTARTTLS\r\n"
    );
    // A man in the middle appends a reply to the 220.
    client.handle_input(b"220 Go ahead\r\n250-evil\r\n250 AUTH PLAIN\r\n");
    while let Some(e) = client.poll_event() {
        events.push(e);
    }
    let Some(ClientEvent::StartTls { leftover }) = events.last() else {
        panic!("{events:?}")
    };
    assert_eq!(&leftover[..], b"250-evil\r\n250 AUTH PLAIN\r\n");
    assert!(client.capabilities().is_none());
    assert!(client.poll_transmit().is_none());
    client.tls_established();
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"EHLO mail.example.com\r\n"
    );
    client.handle_input(
        b"250-mail.imc.org touches your hand gently for a moment\r\n250-8BITMIME\r\n250 DSN\r\n",
    );
    assert!(matches!(
        client.poll_event(),
        Some(ClientEvent::Reply {
            command: Command::Ehlo { .. },
            ..
        })
    ));
    let Some(ClientEvent::Capabilities(caps)) = client.poll_event() else {
        panic!()
    };
    assert!(!caps.contains("STARTTLS") && !caps.contains("AUTH"));
}

#[test]
fn require_tls_fails_when_starttls_is_not_offered() {
    let mut config = client_config("bar.com");
    config.require_tls = true;
    let mut pair = Pair::new(
        server_config("foo.com", "Simple Mail Transfer Service Ready"),
        config,
    );
    pair.client.hello().unwrap();
    assert_eq!(
        pair.client.send(mail("Smith@bar.com")),
        Err(ClientError::TlsRequired("MAIL".into()))
    );
    pair.run_accepting();
    assert!(
        pair.client_events
            .contains(&ClientEvent::Error(ClientError::TlsNotOffered))
    );
    // The client said QUIT and nothing else.
    assert_eq!(
        String::from_utf8_lossy(&pair.c2s),
        "EHLO bar.com\r\nQUIT\r\n"
    );
    assert_eq!(pair.client.send(Command::Quit), Err(ClientError::Closed));
}

#[test]
fn require_tls_fails_when_starttls_is_refused() {
    let mut config = client_config("bar.com");
    config.require_tls = true;
    let mut client = Client::new(config);
    client.hello().unwrap();
    client.send(Command::StartTls).unwrap();
    client.handle_input(
        b"220 foo.com ready\r\n250-foo.com\r\n250 STARTTLS\r\n454 4.7.0 TLS not available\r\n",
    );
    let mut events = Vec::new();
    while let Some(e) = client.poll_event() {
        events.push(e);
    }
    assert!(events.contains(&ClientEvent::Error(ClientError::TlsRefused(
        ReplyCode::new(454).unwrap()
    ))));
    assert_eq!(
        &client.poll_transmit().unwrap()[..],
        b"EHLO bar.com\r\nSTARTTLS\r\nQUIT\r\n"
    );
}

#[test]
fn require_tls_goes_on_after_the_upgrade() {
    let mut config = client_config("mail.example.com");
    config.require_tls = true;
    let mut pair = Pair::new(tls_config(), config);
    pair.client.hello().unwrap();
    pair.client.send(Command::StartTls).unwrap();
    pair.client.hello().unwrap();
    pair.run_accepting();
    assert!(pair.client.is_tls());
    pair.client.send(mail("a@example.com")).unwrap();
    pair.client.send(rcpt("b@example.com")).unwrap();
    pair.client.send(Command::Data).unwrap();
    pair.client.send_data(b"hi\r\n").unwrap();
    pair.client.end_data().unwrap();
    pair.run_accepting();
    assert_eq!(pair.body(), b"hi\r\n");
}

fn auth_config() -> ServerConfig {
    let mut config = server_config("smtp.example.com", "ESMTP Server");
    config.extensions = Extensions::default();
    config.extensions.auth = vec![sasl::Mechanism::PLAIN, sasl::Mechanism::LOGIN];
    config.extensions.enhanced_status_codes = true;
    config.tls_active = true;
    config.auth_required = true;
    config
}

fn check_password(e: &ServerEvent, _: usize) -> Option<Reply<'static>> {
    match e {
        ServerEvent::Auth { credentials, .. } if !credentials.verify_password(b"1234") => {
            Some(reply("535 5.7.8 Authentication credentials invalid"))
        }
        _ => None,
    }
}

#[test]
fn rfc4954_auth_plain_with_initial_response() {
    let mut pair = Pair::new(auth_config(), client_config("client.example.com"));
    pair.client.hello().unwrap();
    pair.run_accepting();
    assert_eq!(
        pair.client.send(mail("a@example.com")),
        Ok(()),
        "the server decides"
    );
    pair.run(&mut check_password);
    // MAIL before AUTH: 530.
    assert_eq!(pair.client_replies()[1], ("MAIL".into(), 530));
    let plain = sasl::ClientMechanism::Plain {
        authzid: Some("test".into()),
        authcid: "test".into(),
        password: "1234".into(),
    };
    pair.client
        .authenticate(sasl::Client::new(plain).unwrap())
        .unwrap();
    pair.run(&mut check_password);
    assert!(String::from_utf8_lossy(&pair.c2s).contains("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n"));
    assert!(
        String::from_utf8_lossy(&pair.s2c).ends_with("235 2.7.0 Authentication successful\r\n")
    );
    assert!(pair.client.is_authenticated() && pair.server.is_authenticated());
    let Some(ServerEvent::Auth {
        mechanism,
        credentials,
    }) = pair
        .server_events
        .iter()
        .find(|e| matches!(e, ServerEvent::Auth { .. }))
    else {
        panic!()
    };
    assert_eq!(*mechanism, sasl::Mechanism::PLAIN);
    assert_eq!(credentials.username(), Some("test"));
}

#[test]
fn rfc4954_auth_plain_after_an_empty_challenge() {
    let mut server = Server::new(auth_config());
    server.handle_input(b"EHLO client.example.com\r\nAUTH PLAIN\r\n");
    assert!(matches!(
        server.poll_event(),
        Some(ServerEvent::Hello { .. })
    ));
    server.accept().unwrap();
    assert_eq!(server.poll_event(), None);
    let out = server.poll_transmit().unwrap();
    assert!(out.ends_with(b"250 AUTH PLAIN LOGIN\r\n334\r\n"), "{out:?}");
    server.handle_input(b"dGVzdAB0ZXN0ADEyMzQ=\r\n");
    let Some(ServerEvent::Auth { credentials, .. }) = server.poll_event() else {
        panic!()
    };
    assert!(credentials.verify_password(b"1234"));
    server.accept().unwrap();
    assert_eq!(
        &server.poll_transmit().unwrap()[..],
        b"235 2.7.0 Authentication successful\r\n"
    );
    // Commands resume after the exchange.
    server.handle_input(b"MAIL FROM:<a@example.com>\r\n");
    assert!(matches!(
        server.poll_event(),
        Some(ServerEvent::Mail { .. })
    ));
}

#[test]
fn auth_login_answers_the_334_prompts() {
    let mut pair = Pair::new(auth_config(), client_config("client.example.com"));
    pair.client.hello().unwrap();
    let login = sasl::ClientMechanism::login("tim", "wrong");
    pair.client
        .authenticate(sasl::Client::new(login).unwrap())
        .unwrap();
    let login = sasl::ClientMechanism::login("tim", "1234");
    pair.client
        .authenticate(sasl::Client::new(login).unwrap())
        .unwrap();
    pair.run(&mut check_password);
    let s2c = String::from_utf8_lossy(&pair.s2c);
    assert!(s2c.contains("334 VXNlcm5hbWU6\r\n"));
    assert!(s2c.contains("334 UGFzc3dvcmQ6\r\n"));
    let c2s = String::from_utf8_lossy(&pair.c2s);
    assert!(c2s.contains("AUTH LOGIN\r\ndGlt\r\nd3Jvbmc=\r\n"), "{c2s}");
    assert_eq!(
        pair.client_replies()[1..],
        [("AUTH".into(), 535), ("AUTH".into(), 235)]
    );
}

#[test]
fn auth_cancel_and_bad_base64() {
    let mut server = Server::new(auth_config());
    server.handle_input(b"EHLO c.example\r\n");
    server.poll_event();
    server.accept().unwrap();
    server.handle_input(b"AUTH LOGIN\r\n*\r\nAUTH LOGIN\r\n!!!!\r\nAUTH CRAM-MD5\r\nNOOP\r\n");
    let mut events = Vec::new();
    while let Some(e) = server.poll_event() {
        events.push(e);
    }
    assert_eq!(
        events,
        [
            ServerEvent::Error(ServerError::Auth(sasl::Failure::Cancelled)),
            ServerEvent::Error(ServerError::AuthEncoding),
            ServerEvent::Error(ServerError::Refused {
                verb: "AUTH".into(),
                code: ReplyCode::new(504).unwrap()
            }),
        ]
    );
    let codes: Vec<u16> = replies(&server.poll_transmit().unwrap())
        .iter()
        .map(|r| r.code().get())
        .collect();
    assert_eq!(codes, [220, 250, 334, 501, 334, 501, 504, 250][1..]);
}

#[test]
fn out_of_order_commands_get_503() {
    let mut server = Server::new(server_config("foo.com", "ready"));
    server.handle_input(
        b"MAIL FROM:<a@b.example>\r\nRCPT TO:<a@b.example>\r\nDATA\r\nhello\r\n\
          EHLO c.example\r\nRCPT TO:<a@b.example>\r\nMAIL FROM:<a@b.example>\r\n\
          MAIL FROM:<a@b.example>\r\nDATA\r\nBDAT 3\r\nabcQUIT\r\n",
    );
    let mut events = Vec::new();
    while let Some(e) = server.poll_event() {
        if server.is_pending() {
            server.accept().unwrap();
        }
        events.push(e);
    }
    let codes: Vec<u16> = replies(&server.poll_transmit().unwrap())
        .iter()
        .map(|r| r.code().get())
        .collect();
    // MAIL, RCPT, DATA before EHLO; "hello" is no command; EHLO;
    // RCPT before MAIL; MAIL; nested MAIL; DATA without recipients;
    // BDAT without CHUNKING announced (its 3 octets are read); QUIT.
    assert_eq!(
        codes,
        [503, 503, 503, 500, 250, 503, 250, 503, 554, 502, 221]
    );
    assert!(matches!(events.last(), Some(ServerEvent::Quit)));
}

#[test]
fn data_is_dot_stuffed_end_to_end_and_byte_identical() {
    let body: &[u8] = b".\r\n..\r\n.hidden\r\n\r\n.\r\nQUIT\r\n.\r\n. \r\nend\r\n";
    let mut pair = Pair::new(server_config("foo.com", "ready"), client_config("bar.com"));
    pair.client.hello().unwrap();
    pair.client.send(mail("a@bar.com")).unwrap();
    pair.client.send(rcpt("b@foo.com")).unwrap();
    pair.client.send(Command::Data).unwrap();
    for piece in body.chunks(3) {
        pair.client.send_data(piece).unwrap();
    }
    pair.client.end_data().unwrap();
    pair.client.send(Command::Quit).unwrap();
    pair.run_accepting();
    assert_eq!(pair.body(), body);
    assert!(
        pair.c2s
            .windows(b"..\r\n...\r\n..hidden\r\n\r\n..\r\nQUIT\r\n..\r\n.. \r\nend\r\n.\r\n".len())
            .any(|w| w == b"..\r\n...\r\n..hidden\r\n\r\n..\r\nQUIT\r\n..\r\n.. \r\nend\r\n.\r\n")
    );
    // The QUIT inside the body was data; the real one closed the session.
    assert_eq!(
        pair.server_events
            .iter()
            .filter(|e| matches!(e, ServerEvent::Quit))
            .count(),
        1
    );
}

#[test]
fn oversize_message_refused_after_its_end_with_framing_kept() {
    let mut config = server_config("foo.com", "ready");
    let mut limits = Limits::default();
    limits.message_size = 100;
    config.limits = limits;
    let mut pair = Pair::new(config, client_config("bar.com"));
    pair.client.hello().unwrap();
    pair.client.send(mail("a@bar.com")).unwrap();
    pair.client.send(rcpt("b@foo.com")).unwrap();
    pair.client.send(Command::Data).unwrap();
    let body = "0123456789abcdefghi\r\n".repeat(20);
    pair.client.send_data(body.as_bytes()).unwrap();
    pair.client.end_data().unwrap();
    pair.client.send(Command::Noop { arg: None }).unwrap();
    pair.client.send(Command::Quit).unwrap();
    pair.run_accepting();
    assert_eq!(pair.body().len(), 100);
    assert!(pair.server_events.contains(&ServerEvent::DataEnd {
        size: 420,
        refused: Some(DataRefusal::TooBig)
    }));
    let Some(ClientEvent::DataResult { reply, .. }) = pair
        .client_events
        .iter()
        .find(|e| matches!(e, ClientEvent::DataResult { .. }))
    else {
        panic!()
    };
    assert_eq!(reply.code(), ReplyCode::EXCEEDED_STORAGE);
    assert_eq!(
        pair.client_replies()[pair.client_replies().len() - 2..],
        [("NOOP".into(), 250), ("QUIT".into(), 221)]
    );
    // A SIZE= above the limit is refused at MAIL.
    let mut server = Server::new({
        let mut c = server_config("foo.com", "ready");
        c.limits = limits;
        c
    });
    server.handle_input(b"EHLO a.example\r\nMAIL FROM:<a@b.example> SIZE=101\r\n");
    server.poll_event();
    server.accept().unwrap();
    assert!(matches!(
        server.poll_event(),
        Some(ServerEvent::Error(ServerError::Refused { code, .. })) if code == ReplyCode::EXCEEDED_STORAGE
    ));
}

#[test]
fn refused_data_drops_the_queued_body() {
    let mut pair = Pair::new(server_config("foo.com", "ready"), client_config("bar.com"));
    pair.client.hello().unwrap();
    pair.client.send(mail("a@bar.com")).unwrap();
    pair.client.send(rcpt("b@foo.com")).unwrap();
    pair.client.send(Command::Data).unwrap();
    pair.client.send_data(b"body\r\n").unwrap();
    pair.client.end_data().unwrap();
    pair.client.send(Command::Quit).unwrap();
    pair.run(&mut |e, _| match e {
        ServerEvent::DataStart => Some(reply("451 4.3.0 try later")),
        _ => None,
    });
    assert!(pair.body().is_empty());
    assert!(!String::from_utf8_lossy(&pair.c2s).contains("body"));
    assert!(pair.client.is_closed());
}

#[test]
fn decisions_block_until_answered() {
    let mut server = Server::new(server_config("foo.com", "ready"));
    server.handle_input(b"EHLO a.example\r\nNOOP\r\n");
    assert!(matches!(
        server.poll_event(),
        Some(ServerEvent::Hello { .. })
    ));
    assert_eq!(server.poll_event(), None);
    assert!(server.is_pending());
    server.send(&reply("550 go away")).unwrap();
    assert_eq!(server.poll_event(), None);
    assert!(server.accept().is_err());
    let out = server.poll_transmit().unwrap();
    assert_eq!(&out[..], b"550 go away\r\n250 OK\r\n");
    assert_eq!(server.hello(), None);
}
