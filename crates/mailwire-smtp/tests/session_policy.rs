//! The server session's policies, driven with raw client bytes: MAIL and
//! RCPT parameters of extensions that were not announced (555 5.5.4),
//! non-ASCII addresses without SMTPUTF8 (550/553 5.6.7), the recipient
//! limit (452 4.5.3), and command lines that end in a bare LF (500 5.5.2).

#![allow(clippy::field_reassign_with_default)]

use mailwire_smtp::Limits;
use mailwire_smtp::decode::ReplyDecoder;
use mailwire_smtp::session::{Server, ServerConfig, ServerError, ServerEvent};
use mailwire_smtp::types::{Domain, Reply, ReplyText};

fn config() -> ServerConfig {
    ServerConfig::new(Domain::new("mx.example.org").unwrap())
}

/// Runs `input` through a server (in one slice, then byte by byte, which
/// must agree), accepting every decision; returns the replies after the
/// greeting as `(code, enhanced code or "")`, and the events.
fn run(config: ServerConfig, input: &[u8]) -> (Vec<(u16, String)>, Vec<ServerEvent>) {
    let whole = run_split(config.clone(), &[input]);
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    let split = run_split(config, &bytes);
    assert_eq!(whole, split, "one slice and one byte at a time differ");
    whole
}

fn run_split(config: ServerConfig, chunks: &[&[u8]]) -> (Vec<(u16, String)>, Vec<ServerEvent>) {
    let mut server = Server::new(config);
    server.greeting();
    let mut out = Vec::new();
    let mut events = Vec::new();
    for chunk in chunks {
        server.handle_input(chunk);
        while let Some(event) = server.poll_event() {
            if server.is_pending() {
                server.accept().unwrap();
            }
            events.push(event);
        }
        while let Some(b) = server.poll_transmit() {
            out.extend_from_slice(&b);
        }
    }
    let mut decoder = ReplyDecoder::new(Limits::default());
    decoder.push(&out);
    let mut replies = Vec::new();
    while let Some(r) = decoder.next_reply() {
        let r: Reply<'static> = r.unwrap();
        let esc = r.enhanced().map(|e| e.to_string()).unwrap_or_default();
        replies.push((r.code().get(), esc));
    }
    replies.remove(0); // the greeting
    (replies, events)
}

fn codes(replies: &[(u16, String)]) -> Vec<u16> {
    replies.iter().map(|(c, _)| *c).collect()
}

fn refused(events: &[ServerEvent]) -> Vec<(String, u16)> {
    events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Error(ServerError::Refused { verb, code }) => {
                Some((verb.clone(), code.get()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn mail_parameters_of_unannounced_extensions_get_555() {
    let mut none = config();
    none.extensions = Default::default();
    for line in [
        "MAIL FROM:<a@example.org> SIZE=100",
        "MAIL FROM:<a@example.org> BODY=8BITMIME",
        "MAIL FROM:<a@example.org> BODY=7BIT",
        "MAIL FROM:<a@example.org> SMTPUTF8",
        "MAIL FROM:<a@example.org> REQUIRETLS",
        "MAIL FROM:<a@example.org> RET=HDRS",
        "MAIL FROM:<a@example.org> ENVID=QQ314159",
        "MAIL FROM:<a@example.org> AUTH=<>",
        "MAIL FROM:<a@example.org> MT-PRIORITY=3",
        "MAIL FROM:<a@example.org> X-UNKNOWN=1",
    ] {
        let input = format!("EHLO c.example\r\n{line}\r\nMAIL FROM:<a@example.org>\r\n");
        let (replies, events) = run(none.clone(), input.as_bytes());
        assert_eq!(codes(&replies), [250, 555, 250], "{line}");
        assert_eq!(refused(&events), [("MAIL".to_owned(), 555)], "{line}");
    }
    // With ENHANCEDSTATUSCODES the refusal says 5.5.4.
    let mut esc = none.clone();
    esc.extensions.enhanced_status_codes = true;
    let (replies, _) = run(esc, b"EHLO c\r\nMAIL FROM:<a@b> SMTPUTF8\r\n");
    assert_eq!(replies[1], (555, "5.5.4".to_owned()));
}

#[test]
fn mail_parameters_of_announced_extensions_pass() {
    let mut all = config();
    all.extensions.smtputf8 = true;
    all.extensions.dsn = true;
    all.extensions.other = vec![
        ReplyText::new(&b"BINARYMIME"[..]).unwrap(),
        ReplyText::new(&b"MT-PRIORITY MIXER"[..]).unwrap(),
        ReplyText::new(&b"X-UNKNOWN"[..]).unwrap(),
    ];
    let input = b"EHLO c.example\r\n\
        MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159 MT-PRIORITY=3 X-UNKNOWN=1\r\n\
        RSET\r\n\
        MAIL FROM:<a@example.org> BODY=BINARYMIME\r\n\
        RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org\r\n";
    let (replies, events) = run(all, input);
    assert_eq!(codes(&replies), [250, 250, 250, 250, 250]);
    assert!(refused(&events).is_empty());
}

#[test]
fn binarymime_needs_its_announcement_and_requiretls_needs_tls() {
    let mut c = config();
    c.extensions.other = vec![ReplyText::new(&b"REQUIRETLS"[..]).unwrap()];
    let (replies, _) = run(
        c,
        b"EHLO c\r\nMAIL FROM:<a@b> BODY=BINARYMIME\r\nMAIL FROM:<a@b> REQUIRETLS\r\n",
    );
    assert_eq!(
        replies,
        [
            (250, String::new()),
            (555, "5.5.4".into()),
            (555, "5.5.4".into())
        ]
    );
    let mut tls = config();
    tls.tls_active = true;
    tls.extensions.other = vec![ReplyText::new(&b"REQUIRETLS"[..]).unwrap()];
    let (replies, _) = run(tls, b"EHLO c\r\nMAIL FROM:<a@b> REQUIRETLS\r\n");
    assert_eq!(codes(&replies), [250, 250]);
}

#[test]
fn dsn_rcpt_parameters_need_dsn() {
    let input = b"EHLO c\r\nMAIL FROM:<a@b>\r\n\
        RCPT TO:<b@example.org> NOTIFY=NEVER\r\n\
        RCPT TO:<b@example.org> ORCPT=rfc822;b@example.org\r\n\
        RCPT TO:<b@example.org> X-FOO=1\r\n\
        RCPT TO:<b@example.org>\r\n";
    let (replies, events) = run(config(), input);
    assert_eq!(codes(&replies), [250, 250, 555, 555, 555, 250]);
    assert_eq!(replies[2].1, "5.5.4");
    assert_eq!(refused(&events).len(), 3);
    let mut dsn = config();
    dsn.extensions.dsn = true;
    let (replies, _) = run(dsn, input);
    assert_eq!(codes(&replies), [250, 250, 250, 250, 555, 250]);
}

#[test]
fn non_ascii_addresses_need_smtputf8() {
    let mut c = config();
    c.extensions.smtputf8 = true;
    let input = "EHLO c\r\n\
        MAIL FROM:<jösé@example.org>\r\n\
        MAIL FROM:<a@example.org>\r\n\
        RCPT TO:<mü@example.org>\r\n\
        RSET\r\n\
        MAIL FROM:<jösé@example.org> SMTPUTF8\r\n\
        RCPT TO:<mü@example.org>\r\n";
    let (replies, _) = run(c, input.as_bytes());
    assert_eq!(
        replies,
        [
            (250, String::new()),
            (550, "5.6.7".into()),
            (250, "2.1.0".into()),
            (553, "5.6.7".into()),
            (250, "2.0.0".into()),
            (250, "2.1.0".into()),
            (250, "2.1.5".into()),
        ]
    );
}

#[test]
fn recipients_over_the_limit_get_452() {
    let mut c = config();
    c.max_recipients = 3;
    let mut input = b"EHLO c\r\nMAIL FROM:<a@b>\r\n".to_vec();
    for i in 0..5 {
        input.extend_from_slice(format!("RCPT TO:<r{i}@example.org>\r\n").as_bytes());
    }
    // A new transaction starts counting again.
    input.extend_from_slice(b"RSET\r\nMAIL FROM:<a@b>\r\nRCPT TO:<r@example.org>\r\n");
    let (replies, events) = run(c, &input);
    assert_eq!(
        codes(&replies),
        [250, 250, 250, 250, 250, 452, 452, 250, 250, 250]
    );
    assert_eq!(replies[5].1, "4.5.3");
    assert_eq!(
        refused(&events),
        [("RCPT".to_owned(), 452), ("RCPT".to_owned(), 452)]
    );
    // The default is the 100 RFC 5321 §4.5.3.1.8 asks for.
    assert_eq!(config().max_recipients, 100);
}

#[test]
fn refused_recipients_do_not_count_against_the_limit() {
    let mut c = config();
    c.max_recipients = 1;
    let input = b"EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@y> NOTIFY=NEVER\r\nRCPT TO:<x@y>\r\nRCPT TO:<z@y>\r\n";
    let (replies, _) = run(c, input);
    assert_eq!(codes(&replies), [250, 250, 555, 250, 452]);
}

#[test]
fn bare_lf_command_lines_are_refused() {
    let input = b"EHLO c\nEHLO c\r\nMAIL FROM:<a@b>\nMAIL FROM:<a@b>\r\nRCPT TO:<x@y>\n\
        RCPT TO:<x@y>\r\nNOOP\nDATA\nQUIT\n\r\n";
    let (replies, events) = run(config(), input);
    // A bare LF line is never a command, whatever it says; DATA after a
    // bare LF does not start a message; the lone "\r\n" is an empty line.
    assert_eq!(
        codes(&replies),
        [500, 250, 500, 250, 500, 250, 500, 500, 500, 500]
    );
    assert_eq!(replies[0].1, "5.5.2");
    assert_eq!(
        refused(&events)
            .into_iter()
            .map(|(v, _)| v)
            .collect::<Vec<_>>(),
        ["EHLO", "MAIL", "RCPT", "NOOP", "DATA", "QUIT"]
    );
    assert!(!events.iter().any(|e| matches!(e, ServerEvent::Quit)));
}

#[test]
fn bare_lf_bdat_chunk_is_read_and_dropped() {
    // The refused chunk's octets are skipped by size, never read as
    // commands.
    let input = b"EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nBDAT 6 LAST\nQUIT\r\nNOOP\r\n";
    let (replies, events) = run(config(), input);
    assert_eq!(codes(&replies), [250, 250, 250, 500, 250]);
    assert!(!events.iter().any(|e| matches!(e, ServerEvent::Quit)));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ServerEvent::DataChunk(_)))
    );
}

#[test]
fn bare_lf_after_starttls_is_refused_without_an_upgrade() {
    let mut c = config();
    c.extensions.starttls = true;
    let (replies, events) = run(c, b"EHLO c\r\nSTARTTLS\nNOOP\r\n");
    assert_eq!(codes(&replies), [250, 500, 250]);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ServerEvent::StartTls { .. }))
    );
}

#[test]
fn bare_lf_allowed_when_configured() {
    let mut c = config();
    c.allow_bare_lf = true;
    let (replies, _) = run(c, b"EHLO c\nMAIL FROM:<a@b>\nNOOP\r\n");
    assert_eq!(codes(&replies), [250, 250, 250]);
}

#[test]
fn a_long_line_in_small_chunks_is_still_framed() {
    // Over the command-line limit, sent in pieces: 500 once, then the
    // session goes on with the next line.
    let mut input = b"EHLO c\r\nNOOP ".to_vec();
    input.extend(std::iter::repeat_n(b'x', 600));
    input.extend_from_slice(b"\nNOOP\r\n");
    let (replies, _) = run(config(), &input);
    assert_eq!(codes(&replies), [250, 500, 250]);
}
