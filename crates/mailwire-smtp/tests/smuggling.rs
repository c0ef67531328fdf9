//! The SMTP smuggling and injection vectors of
//! `shared/vectors/smtp-smuggling.txt`, each checked against what the file
//! says a receiver (or client, or encoder) must do.
//!
//! The vectors are embedded here too, so the expectations run without the
//! file; when the file is there, every vector in it is checked, and a
//! vector without an expectation fails the test.

#![allow(clippy::field_reassign_with_default)]

use mailwire_smtp::decode::{
    CommandDecoder, DataChunk, DataDecoder, DataEnd, DataEvent, DataRefusal, ReplyDecoder,
};
use mailwire_smtp::encode::{DataOptions, encode_data};
use mailwire_smtp::types::{Command, LocalPart, Mailbox, ReplyCode, Stop};
use mailwire_smtp::{BareLineEnd, Limits, NulByte};

/// The vectors, as in the file (name, bytes).
const EMBEDDED: &[(&str, &[u8])] = &[
    ("CRLF.CRLF", b"\r\n.\r\n"),
    ("LF.LF", b"\n.\n"),
    ("LF.CRLF", b"\n.\r\n"),
    ("CR.CR", b"\r.\r"),
    ("CR.LF", b"\r.\n"),
    ("LF.CR", b"\n.\r"),
    ("CR.CRLF", b"\r.\r\n"),
    ("CRLF.LF", b"\r\n.\n"),
    ("CRLF.CR", b"\r\n.\r"),
    ("CRLF.CRCRLF", b"\r\n.\r\r\n"),
    ("CRCRLF.CRCRLF", b"\r\r\n.\r\r\n"),
    ("CRLF.NUL-before", b"\r\n\x00.\r\n"),
    ("CRLF.NUL-after", b"\r\n.\x00\r\n"),
    ("FIRSTLINE-EOD", b".\r\n"),
    ("FIRSTLINE-STUFFED", b"..\r\n.\r\n"),
    ("DOT-TEXT", b"\r\n.foo\r\n"),
    (
        "PAYLOAD",
        b"From: attacker@relay.example\r\nTo: victim@inbound.example\r\nSubject: one\r\n\r\n\
first mail<EOD>MAIL FROM:<admin@spoofed.example>\r\nRCPT TO:<victim@inbound.example>\r\n\
DATA\r\nFrom: admin@spoofed.example\r\nTo: victim@inbound.example\r\nSubject: smuggled\r\n\
\r\nsmuggled mail\r\n.\r\n",
    ),
    ("STARTTLS-CMD-INJECTION", b"STARTTLS\r\nRSET\r\n"),
    (
        "STARTTLS-RESP-INJECTION",
        b"220 2.0.0 Ready to start TLS\r\n250-evil.example\r\n250 AUTH PLAIN\r\n",
    ),
    ("STLS-CMD-INJECTION", b"STLS\r\nUSER victim\r\n"),
    (
        "STLS-RESP-INJECTION",
        b"+OK Begin TLS negotiation\r\n+OK injected\r\n",
    ),
    (
        "ADDR-CRLF-INJECTION",
        b"MAIL FROM:<a@b.example>\r\nRCPT TO:<victim@x.example>\r\n",
    ),
];

/// The from-address the ADDR-CRLF-INJECTION vector is built from.
const INJECTED_ADDRESS: &str = "a@b.example>\r\nRCPT TO:<victim@x.example";

/// The non-canonical end-of-data forms: none may end DATA.
const NON_CANONICAL: &[&str] = &[
    "LF.LF",
    "LF.CRLF",
    "CR.CR",
    "CR.LF",
    "LF.CR",
    "CR.CRLF",
    "CRLF.LF",
    "CRLF.CR",
    "CRLF.CRCRLF",
    "CRCRLF.CRCRLF",
    "CRLF.NUL-before",
    "CRLF.NUL-after",
];

/// Decodes a data stream given in chunks of `chunk` octets: the body, the
/// end and the bytes consumed.
fn data(input: &[u8], chunk: usize, limits: Limits) -> (Vec<u8>, Option<DataEnd>, usize) {
    let mut decoder = DataDecoder::new(limits);
    let mut body = Vec::new();
    let mut consumed = 0;
    let mut pending = Vec::new();
    for c in input.chunks(chunk.max(1)) {
        pending.extend_from_slice(c);
        let mut rest = &pending[..];
        loop {
            let step = decoder.decode(rest);
            rest = &rest[step.consumed..];
            consumed += step.consumed;
            match step.event {
                DataEvent::Body(b) => body.extend_from_slice(b),
                DataEvent::End(end) => return (body, Some(end), consumed),
                DataEvent::NeedMore => break,
            }
        }
        assert!(rest.is_empty());
        pending.clear();
    }
    (body, None, consumed)
}

/// [`data`] for every chunk size: all must agree.
fn data_every_split(input: &[u8], limits: Limits) -> (Vec<u8>, Option<DataEnd>, usize) {
    let whole = data(input, input.len(), limits);
    for chunk in 1..input.len() {
        assert_eq!(data(input, chunk, limits), whole, "chunk size {chunk}");
    }
    // Every split into two pieces, the way a TCP segment boundary falls.
    for cut in 0..=input.len() {
        let mut d = DataDecoder::new(limits);
        let mut body = Vec::new();
        let first = d.decode_into(&input[..cut], |b| body.extend_from_slice(b));
        let got = match first {
            Some((end, used)) => (body, Some(end), used),
            None => match d.decode_into(&input[cut..], |b| body.extend_from_slice(b)) {
                Some((end, used)) => (body, Some(end), cut + used),
                None => (body, None, input.len()),
            },
        };
        assert_eq!(got, whole, "cut at {cut}");
    }
    whole
}

/// Policies a server may choose; none may change the framing.
fn policies() -> Vec<Limits> {
    let mut out = Vec::new();
    for line_end in [
        BareLineEnd::Reject,
        BareLineEnd::Keep,
        BareLineEnd::Normalise,
    ] {
        for nul in [NulByte::Reject, NulByte::Keep, NulByte::Strip] {
            let mut limits = Limits::default();
            limits.data_policy.bare_cr = line_end;
            limits.data_policy.bare_lf = line_end;
            limits.data_policy.nul = nul;
            out.push(limits);
        }
    }
    out
}

/// True when every CR is followed by LF and every LF preceded by CR.
fn crlf_only(body: &[u8]) -> bool {
    body.iter().enumerate().all(|(i, &b)| match b {
        b'\r' => body.get(i + 1) == Some(&b'\n'),
        b'\n' => i > 0 && body[i - 1] == b'\r',
        _ => true,
    })
}

/// Normalises bare CR and LF to CRLF and ends the body with CRLF: what a
/// body becomes through the default DATA encoder.
fn normalised(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        match (body[i], body.get(i + 1)) {
            (b'\r', Some(b'\n')) => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            (b'\r' | b'\n', _) => out.extend_from_slice(b"\r\n"),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Encodes `body` with the DATA encoder and decodes it back: the data must
/// end exactly at the end of the encoding, with the normalised body.
fn through_the_encoder(body: &[u8]) {
    let mut wire = Vec::new();
    encode_data(body, DataOptions::default(), &mut wire).unwrap();
    let mut limits = Limits::default();
    limits.data_policy.nul = NulByte::Keep;
    let (decoded, end, used) = data_every_split(&wire, limits);
    assert_eq!(used, wire.len(), "the encoding ends early: {wire:?}");
    assert_eq!(decoded, normalised(body));
    assert!(end.unwrap().is_accepted());
}

fn check(name: &str, bytes: &[u8]) {
    let limits = Limits::default();
    match name {
        "CRLF.CRLF" => {
            // The only end-of-data. As the first bytes of data: an empty
            // line, then the end.
            let (body, end, used) = data_every_split(bytes, limits);
            assert_eq!((body.as_slice(), used), (&b"\r\n"[..], 5));
            assert!(end.unwrap().is_accepted());
            // After text, it ends the data there, and what follows is
            // commands again.
            let mut input = b"first mail".to_vec();
            input.extend_from_slice(bytes);
            input.extend_from_slice(b"QUIT\r\n");
            let (body, end, used) = data_every_split(&input, limits);
            assert_eq!(body, b"first mail\r\n");
            assert_eq!(used, input.len() - 6);
            assert!(end.unwrap().is_accepted());
        }
        n if NON_CANONICAL.contains(&n) => {
            let mut input = b"first mail".to_vec();
            input.extend_from_slice(bytes);
            input.extend_from_slice(b"MAIL FROM:<admin@spoofed.example>\r\n");
            let before_end = input.len();
            input.extend_from_slice(b"\r\n.\r\nQUIT\r\n");
            for limits in policies() {
                let (body, end, used) = data_every_split(&input, limits);
                // The data goes on through the vector to the real end.
                assert_eq!(used, input.len() - 6, "{name} ended DATA early");
                assert!(body.len() >= before_end - 2, "{name}");
                let end = end.unwrap();
                let p = limits.data_policy;
                let refused = (end.defects.bare_cr + end.defects.bare_lf > 0
                    && p.bare_cr == BareLineEnd::Reject)
                    || (end.defects.nul > 0 && p.nul == NulByte::Reject);
                assert_eq!(end.is_accepted(), !refused, "{name} under {p:?}");
            }
            // By default the message is refused after its end, with 554.
            let (_, end, _) = data_every_split(&input, limits);
            let refusal = end.unwrap().refusal.unwrap();
            assert!(matches!(
                refusal,
                DataRefusal::BareLineEnd | DataRefusal::Nul
            ));
            assert_eq!(refusal.reply_code(), ReplyCode::TRANSACTION_FAILED);
            // Normalised, bare CR and LF become CRLF but still cannot end
            // the data: the dot after them is content.
            let mut normalise = Limits::default();
            normalise.data_policy.bare_cr = BareLineEnd::Normalise;
            normalise.data_policy.bare_lf = BareLineEnd::Normalise;
            normalise.data_policy.nul = NulByte::Strip;
            let (body, _, _) = data_every_split(&input, normalise);
            assert!(!body.contains(&b'\0'));
            assert!(crlf_only(&body), "{name}: line ends are CRLF");
            // A sender cannot produce it: the encoder stuffs or normalises.
            through_the_encoder(&input);
            through_the_encoder(bytes);
        }
        "FIRSTLINE-EOD" => {
            let (body, end, used) = data_every_split(bytes, limits);
            assert_eq!((body.len(), used), (0, 3));
            assert_eq!(end.unwrap().size, 0);
            let mut wire = Vec::new();
            encode_data(b"", DataOptions::default(), &mut wire).unwrap();
            assert_eq!(wire, bytes);
        }
        "FIRSTLINE-STUFFED" => {
            let (body, end, used) = data_every_split(bytes, limits);
            assert_eq!((body.as_slice(), used), (&b".\r\n"[..], bytes.len()));
            assert!(end.unwrap().is_accepted());
            let mut wire = Vec::new();
            encode_data(b".\r\n", DataOptions::default(), &mut wire).unwrap();
            assert_eq!(wire, bytes);
        }
        "DOT-TEXT" => {
            let (body, end, used) = data_every_split(bytes, limits);
            assert_eq!((body.as_slice(), used), (&b"\r\nfoo\r\n"[..], bytes.len()));
            assert!(end.is_none());
            through_the_encoder(b"\r\n.foo\r\n");
        }
        "PAYLOAD" => payload(bytes),
        "STARTTLS-CMD-INJECTION" => {
            // Nothing after STARTTLS is read as a command: the bytes are
            // handed back for the server to discard.
            for cut in 0..=bytes.len() {
                let mut d = CommandDecoder::new(limits);
                d.push(&bytes[..cut]);
                let mut cmds = Vec::new();
                while let Some(c) = d.next_command() {
                    cmds.push(c.unwrap());
                }
                d.push(&bytes[cut..]);
                while let Some(c) = d.next_command() {
                    cmds.push(c.unwrap());
                }
                assert_eq!(cmds, [Command::StartTls]);
                assert_eq!(d.stopped(), Some(Stop::StartTls));
                assert_eq!(&d.take_buffered()[..], b"RSET\r\n");
                d.resume();
                assert!(d.next_command().is_none(), "RSET must not run under TLS");
            }
        }
        "STARTTLS-RESP-INJECTION" => {
            // The client reads the 220, then takes what is buffered at the
            // TLS boundary: the injected reply is handed back, not decoded.
            let mut d = ReplyDecoder::new(limits);
            d.push(bytes);
            let r = d.next_reply().unwrap().unwrap();
            assert_eq!(r.code(), ReplyCode::SERVICE_READY);
            let injected = d.take_buffered();
            assert_eq!(&injected[..], b"250-evil.example\r\n250 AUTH PLAIN\r\n");
            assert!(d.next_reply().is_none());
        }
        "STLS-CMD-INJECTION" | "STLS-RESP-INJECTION" => {
            // POP3: mailwire-pop3 checks these.
            println!("{name}: POP3 vector, not for the SMTP crate");
        }
        "ADDR-CRLF-INJECTION" => {
            // The types refuse CR and LF, so no encoder can write this.
            assert!(Mailbox::parse(INJECTED_ADDRESS).is_err());
            assert!(LocalPart::new("a\r\nRCPT TO:<victim@x.example>").is_err());
            assert!(Mailbox::parse("a@b.example\r\n").is_err());
            // A decoder reads the bytes as the two commands they are.
            let mut d = CommandDecoder::new(limits);
            d.push(bytes);
            assert!(matches!(d.next_command(), Some(Ok(Command::Mail { .. }))));
            assert!(matches!(d.next_command(), Some(Ok(Command::Rcpt { .. }))));
        }
        other => panic!("vector {other} has no expectation: add one"),
    }
}

/// The full smuggling payload with each `<EOD>`: only the canonical one
/// ends the first message; every other leaves one message, refused.
fn payload(template: &[u8]) {
    let at = template
        .windows(5)
        .position(|w| w == b"<EOD>")
        .expect("PAYLOAD has <EOD>");
    for (name, eod) in EMBEDDED
        .iter()
        .filter(|(n, _)| *n == "CRLF.CRLF" || NON_CANONICAL.contains(n))
    {
        let mut stream = b"DATA\r\n".to_vec();
        stream.extend_from_slice(&template[..at]);
        stream.extend_from_slice(eod);
        stream.extend_from_slice(&template[at + 5..]);
        for chunk in [1, 7, stream.len()] {
            let (commands, messages) = server(&stream, chunk);
            if *name == "CRLF.CRLF" {
                // Two transactions, as the client sent them.
                assert_eq!(commands, ["DATA", "MAIL", "RCPT", "DATA"], "{name}");
                assert_eq!(messages.len(), 2);
                assert!(messages.iter().all(|(_, end)| end.is_accepted()));
                assert!(messages[0].0.ends_with(b"first mail\r\n"));
            } else {
                // One message: the smuggled commands are its content.
                assert_eq!(commands, ["DATA"], "{name} smuggled a command");
                assert_eq!(messages.len(), 1, "{name}");
                assert!(!messages[0].1.is_accepted(), "{name}");
                let body = &messages[0].0;
                assert!(
                    body.windows(10).any(|w| w == b"MAIL FROM:"),
                    "{name}: the smuggled MAIL is message content"
                );
            }
        }
    }
}

/// A server's reading of a client stream: command verbs, and the messages
/// (assuming every DATA is answered 354).
fn server(stream: &[u8], chunk: usize) -> (Vec<String>, Vec<(Vec<u8>, DataEnd)>) {
    let mut d = CommandDecoder::new(Limits::default());
    let mut data = DataDecoder::new(Limits::default());
    let mut commands = Vec::new();
    let mut messages = Vec::new();
    let mut body = Vec::new();
    for c in stream.chunks(chunk) {
        d.push(c);
        loop {
            if d.stopped() == Some(Stop::Data) {
                match d.next_data(&mut data) {
                    Some(DataChunk::Body(b)) => body.extend_from_slice(&b),
                    Some(DataChunk::End(end)) => {
                        messages.push((std::mem::take(&mut body), end));
                        data.reset();
                    }
                    None => break,
                }
                continue;
            }
            match d.next_command() {
                Some(Ok(cmd)) => commands.push(cmd.verb().to_owned()),
                Some(Err(e)) => panic!("{e}"),
                None => break,
            }
        }
    }
    (commands, messages)
}

/// Parses the file's lines: `NAME <TAB> C-escaped bytes [<TAB> …]`.
fn parse(text: &str) -> Vec<(String, Vec<u8>, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        let name = fields.next().unwrap_or_default().to_owned();
        let bytes = unescape(fields.next().unwrap_or_default());
        let note = fields.next().unwrap_or_default().to_owned();
        out.push((name, bytes, note));
    }
    out
}

fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'\\' => out.push(b'\\'),
                b'"' => out.push(b'"'),
                b'x' if i + 3 < b.len() => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 4;
                    continue;
                }
                other => panic!("unknown escape \\{}", other as char),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn embedded_vectors() {
    for (name, bytes) in EMBEDDED {
        check(name, bytes);
    }
}

#[test]
fn vectors_from_the_shared_file() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/vectors/smtp-smuggling.txt"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        println!("note: {path} is missing; the embedded vectors still ran");
        return;
    };
    let vectors = parse(&text);
    assert!(vectors.len() >= EMBEDDED.len(), "the file lost vectors");
    for (name, bytes, note) in &vectors {
        // The file's hex column, when present, agrees with the escapes.
        if note.chars().all(|c| c.is_ascii_hexdigit() || c == ' ') && !note.is_empty() {
            let hex: Vec<u8> = note
                .split(' ')
                .map(|h| u8::from_str_radix(h, 16).unwrap())
                .collect();
            assert_eq!(&hex, bytes, "{name}: hex and escapes differ");
        }
        if name == "ADDR-CRLF-INJECTION" {
            let quoted = note
                .split_once('"')
                .and_then(|(_, r)| r.rsplit_once('"'))
                .map(|(q, _)| unescape(q))
                .expect("the injected address");
            assert_eq!(quoted, INJECTED_ADDRESS.as_bytes());
        }
        // The embedded copy is the same vector.
        if let Some((_, embedded)) = EMBEDDED.iter().find(|(n, _)| n == name) {
            assert_eq!(embedded, bytes, "{name} changed in the file");
        }
        check(name, bytes);
    }
}
