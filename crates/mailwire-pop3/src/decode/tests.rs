use super::*;
use crate::encode::Encode;

fn one(input: &[u8]) -> Command<'_> {
    let (c, n) = command(input, &Limits::default())
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(n, input.len());
    c
}

fn err(input: &[u8]) -> DecodeError {
    command(input, &Limits::default()).unwrap_err()
}

fn msg(n: u32) -> MessageNumber {
    MessageNumber::new(n).unwrap()
}

fn arg(s: &str) -> Argument<'_> {
    Argument::try_from(s).unwrap()
}

#[test]
fn rfc1939_command_examples() {
    // RFC 1939 §4–§7 and §10, every "C:" line, in order of appearance.
    let digest = Digest::from_hex(b"c4c9334bac560ecc979e58001b3e22fb").unwrap();
    let cases: Vec<(&[u8], Command<'_>)> = vec![
        (b"QUIT\r\n", Command::Quit),
        (b"STAT\r\n", Command::Stat),
        (b"LIST\r\n", Command::List(None)),
        (b"LIST 2\r\n", Command::List(Some(msg(2)))),
        (b"LIST 3\r\n", Command::List(Some(msg(3)))),
        (b"RETR 1\r\n", Command::Retr(msg(1))),
        (b"DELE 1\r\n", Command::Dele(msg(1))),
        (b"DELE 2\r\n", Command::Dele(msg(2))),
        (b"NOOP\r\n", Command::Noop),
        (b"RSET\r\n", Command::Rset),
        (
            b"TOP 1 10\r\n",
            Command::Top {
                msg: msg(1),
                lines: 10,
            },
        ),
        (
            b"TOP 100 3\r\n",
            Command::Top {
                msg: msg(100),
                lines: 3,
            },
        ),
        (b"UIDL\r\n", Command::Uidl(None)),
        (b"UIDL 2\r\n", Command::Uidl(Some(msg(2)))),
        (b"UIDL 3\r\n", Command::Uidl(Some(msg(3)))),
        (b"USER frated\r\n", Command::User(arg("frated"))),
        (b"USER mrose\r\n", Command::User(arg("mrose"))),
        (
            b"PASS secret\r\n",
            Command::Pass(Password::try_from("secret").unwrap()),
        ),
        (
            b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
            Command::Apop {
                name: arg("mrose"),
                digest,
            },
        ),
        (b"RETR 2\r\n", Command::Retr(msg(2))),
    ];
    for (wire, expected) in cases {
        assert_eq!(one(wire), expected, "{}", String::from_utf8_lossy(wire));
        // These are already in canonical form.
        assert_eq!(expected.to_bytes(), wire);
    }
}

#[test]
fn rfc1939_section10_session_as_a_stream() {
    let stream: &[u8] = b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nRETR 2\r\nDELE 2\r\nQUIT\r\n";
    let got = collect(stream, stream.len());
    let kinds: Vec<_> = got.iter().map(|r| r.as_ref().unwrap().kind()).collect();
    use CommandKind as K;
    assert_eq!(
        kinds,
        [
            K::Apop,
            K::Stat,
            K::List,
            K::Retr,
            K::Dele,
            K::Retr,
            K::Dele,
            K::Quit
        ]
    );
}

#[test]
fn extension_commands() {
    // RFC 2449 §5, RFC 2595 §4, RFC 5034 §4 and §5, RFC 6856 §2.1 and §3.3.
    assert_eq!(one(b"CAPA\r\n"), Command::Capa);
    assert_eq!(one(b"STLS\r\n"), Command::Stls);
    assert_eq!(one(b"UTF8\r\n"), Command::Utf8);
    assert_eq!(one(b"LANG\r\n"), Command::Lang(None));
    assert_eq!(
        one(b"LANG MUL\r\n"),
        Command::Lang(Some(LanguageRange::try_from("MUL").unwrap()))
    );
    assert_eq!(
        one(b"LANG *\r\n"),
        Command::Lang(Some(LanguageRange::any()))
    );
    assert_eq!(one(b"AUTH\r\n"), Command::AuthList);
    assert_eq!(
        one(b"AUTH SCRAM-SHA-1\r\n"),
        Command::Auth {
            mechanism: Mechanism::try_from("SCRAM-SHA-1").unwrap(),
            initial_response: None,
        }
    );
    assert_eq!(
        one(b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n"),
        Command::Auth {
            mechanism: Mechanism::try_from("PLAIN").unwrap(),
            initial_response: Some(SaslData::try_from("dGVzdAB0ZXN0AHRlc3Q=").unwrap()),
        }
    );
    assert_eq!(
        one(b"AUTH EXTERNAL =\r\n"),
        Command::Auth {
            mechanism: Mechanism::try_from("EXTERNAL").unwrap(),
            initial_response: Some(SaslData::empty()),
        }
    );
}

#[test]
fn keywords_are_case_insensitive() {
    assert_eq!(one(b"stat\r\n"), Command::Stat);
    assert_eq!(one(b"Retr 7\r\n"), Command::Retr(msg(7)));
    assert_eq!(one(b"uSeR Mrose\r\n"), Command::User(arg("Mrose")));
    assert_eq!(
        one(b"auth plain\r\n"),
        Command::Auth {
            mechanism: Mechanism::try_from("PLAIN").unwrap(),
            initial_response: None,
        }
    );
}

#[test]
fn unknown_commands_are_values() {
    assert_eq!(
        one(b"xtnd xmit\r\n"),
        Command::Unknown {
            name: Keyword::try_from("XTND").unwrap(),
            args: vec![arg("xmit")],
        }
    );
    assert_eq!(
        one(b"LAST\r\n"),
        Command::Unknown {
            name: Keyword::try_from("LAST").unwrap(),
            args: vec![],
        }
    );
    assert_eq!(one(b"X\r\n").keyword(), b"X");
}

#[test]
fn passwords_keep_their_spaces() {
    let Command::Pass(p) = one(b"PASS  two  words \r\n") else {
        panic!("PASS");
    };
    assert_eq!(p.expose(), b" two  words ");
    // Longer than an argument may be: bounded by the line only.
    let long = [b"PASS ".as_slice(), &[b'p'; 200], b"\r\n"].concat();
    assert!(matches!(one(&long), Command::Pass(p) if p.expose().len() == 200));
}

#[test]
fn numbers() {
    assert_eq!(one(b"RETR 007\r\n"), Command::Retr(msg(7)));
    assert_eq!(one(b"RETR 4294967295\r\n"), Command::Retr(msg(u32::MAX)));
    assert_eq!(
        one(b"TOP 1 0\r\n"),
        Command::Top {
            msg: msg(1),
            lines: 0
        }
    );
    let e = err(b"RETR 4294967296\r\n");
    assert_eq!((e.offset, e.kind), (5, DecodeErrorKind::NumberOutOfRange));
    let e = err(b"RETR 0\r\n");
    assert_eq!((e.offset, e.kind), (5, DecodeErrorKind::NumberOutOfRange));
    let e = err(b"DELE 1x\r\n");
    assert_eq!((e.offset, e.kind), (6, DecodeErrorKind::InvalidNumber));
    let e = err(b"LIST -1\r\n");
    assert_eq!((e.offset, e.kind), (5, DecodeErrorKind::InvalidNumber));
    let e = err(b"TOP 1 +3\r\n");
    assert_eq!((e.offset, e.kind), (6, DecodeErrorKind::InvalidNumber));
}

#[test]
fn bare_lf_is_tolerated() {
    assert_eq!(one(b"STAT\n"), Command::Stat);
    assert_eq!(one(b"LIST 1\n"), Command::List(Some(msg(1))));
}

#[test]
fn incomplete_until_the_line_ends() {
    let l = Limits::default();
    assert_eq!(command(b"", &l), Ok(Decoded::Incomplete));
    assert_eq!(command(b"STAT", &l), Ok(Decoded::Incomplete));
    assert_eq!(command(b"STAT\r", &l), Ok(Decoded::Incomplete));
    // Bytes after the command are left for the next one.
    let (_, n) = command(b"NOOP\r\nQUIT\r\n", &l)
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(n, 6);
}

#[test]
fn errors_say_where_and_how_far_to_skip() {
    use DecodeErrorKind as K;
    let cases: &[(&[u8], usize, DecodeErrorKind)] = &[
        (b"\r\n", 0, K::MissingKeyword),
        (b" STAT\r\n", 0, K::MissingKeyword),
        (b"STAT \r\n", 5, K::EmptyArgument),
        (b"LIST  1\r\n", 5, K::EmptyArgument),
        (b"LIST 1 \r\n", 7, K::EmptyArgument),
        (b"STAT 1\r\n", 5, K::TooManyArguments),
        (b"RETR 1 2\r\n", 7, K::TooManyArguments),
        (b"RETR\r\n", 4, K::MissingArgument),
        (b"TOP 1\r\n", 5, K::MissingArgument),
        (b"USER\r\n", 4, K::MissingArgument),
        (b"PASS\r\n", 4, K::MissingArgument),
        (b"PASS \r\n", 5, K::EmptyArgument),
        (b"APOP mrose\r\n", 10, K::MissingArgument),
        (b"APOP mrose c4c9\r\n", 15, K::InvalidDigest),
        (
            b"APOP mrose c4c9334bac560ecc979e58001b3e22fx\r\n",
            42,
            K::InvalidDigest,
        ),
        (b"AUTH PL.AIN\r\n", 7, K::InvalidMechanism),
        (b"AUTH PLAIN AA=A\r\n", 13, K::InvalidBase64),
        (b"AUTH PLAIN AAA\r\n", 14, K::InvalidBase64),
        (b"AUTH PLAIN AAAA extra\r\n", 16, K::TooManyArguments),
        (b"USER a\rb\r\n", 6, K::BareCr),
        (b"STAT\r\r\n", 4, K::BareCr),
        (b"USER a\0b\r\n", 6, K::Nul),
        (b"PASS a\0b\r\n", 6, K::Nul),
    ];
    for (input, offset, kind) in cases {
        let e = err(input);
        assert_eq!(
            (e.offset, &e.kind, e.discard, e.until_line_end),
            (*offset, kind, input.len(), false),
            "{}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn limits_apply_even_to_a_whole_line_in_one_slice() {
    let limits = Limits::default();
    // 40 octets is fine, 41 is not, for an argument and for a keyword.
    let ok = [b"USER ".as_slice(), &[b'u'; 40], b"\r\n"].concat();
    assert!(command(&ok, &limits).is_ok());
    let long = [b"USER ".as_slice(), &[b'u'; 41], b"\r\nNOOP\r\n"].concat();
    let e = command(&long, &limits).unwrap_err();
    assert_eq!(
        (e.offset, e.kind, e.discard),
        (5, DecodeErrorKind::ArgumentTooLong { limit: 40 }, 48)
    );
    let e = err(&[&[b'K'; 41], b"\r\n".as_slice()].concat());
    assert_eq!(e.kind, DecodeErrorKind::ArgumentTooLong { limit: 40 });
    // 255 octets with CRLF is fine, 256 is not.
    let line = |n: usize| [b"PASS ".as_slice(), &vec![b'p'; n - 7], b"\r\n"].concat();
    assert!(command(&line(255), &limits).is_ok());
    let mut input = line(256);
    input.extend_from_slice(b"NOOP\r\n");
    let e = command(&input, &limits).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::LineTooLong { limit: 255 });
    // The line's end may not have arrived: the caller drops the limit's
    // worth, then skips to the next LF.
    assert_eq!((e.offset, e.discard, e.until_line_end), (0, 255, true));
    let e = command(&[b'x'; 300], &limits).unwrap_err();
    assert_eq!((e.offset, e.discard, e.until_line_end), (0, 255, true));
    // A bare-LF line is one octet shorter.
    let mut l = line(256);
    l.remove(254);
    assert!(command(&l, &limits).is_ok());
    // AUTH's initial response may pass 40 octets but not the line limit.
    let ir = [b"AUTH PLAIN ".as_slice(), &[b'A'; 240], b"\r\n"].concat();
    assert!(command(&ir, &limits).is_ok());
    let ir = [b"AUTH PLAIN ".as_slice(), &[b'A'; 244], b"\r\n"].concat();
    assert_eq!(
        command(&ir, &limits).unwrap_err().kind,
        DecodeErrorKind::LineTooLong { limit: 255 }
    );
}

#[test]
fn narrower_limits() {
    let mut limits = Limits {
        command_line: 8,
        argument: 4,
        ..Limits::default()
    };
    assert!(command(b"LIST 12\n", &limits).is_ok());
    assert_eq!(
        command(b"LIST 123\n", &limits).unwrap_err().kind,
        DecodeErrorKind::LineTooLong { limit: 8 }
    );
    assert_eq!(
        command(b"LIST 123", &limits).unwrap_err().kind,
        DecodeErrorKind::LineTooLong { limit: 8 }
    );
    limits.command_line = 255;
    assert_eq!(
        command(b"LIST 12345\r\n", &limits).unwrap_err().kind,
        DecodeErrorKind::ArgumentTooLong { limit: 4 }
    );
}

#[test]
fn sasl_lines() {
    let l = Limits::default();
    let get = |input: &[u8]| -> Result<SaslResponse<'static>, DecodeError> {
        sasl_response(input, &l).map(|d| d.complete().unwrap().0.into_owned())
    };
    assert_eq!(get(b"*\r\n"), Ok(SaslResponse::Cancel));
    assert_eq!(get(b"\r\n"), Ok(SaslResponse::Data(SaslData::empty())));
    assert_eq!(
        get(b"dGVzdA==\n"),
        Ok(SaslResponse::Data(SaslData::try_from("dGVzdA==").unwrap()))
    );
    let e = get(b"dGVz dA==\r\n").unwrap_err();
    assert_eq!((e.offset, e.kind), (4, DecodeErrorKind::InvalidBase64));
    let e = get(b"**\r\n").unwrap_err();
    assert_eq!((e.offset, e.kind), (0, DecodeErrorKind::InvalidBase64));
    assert_eq!(sasl_response(b"AAAA", &l), Ok(Decoded::Incomplete));
    // Longer than a command line may be.
    let long = [&[b'A'; 4000][..], b"\r\n"].concat();
    assert!(get(&long).is_ok());
    let too_long = [&[b'A'; 16384][..], b"\r\n"].concat();
    assert_eq!(
        get(&too_long).unwrap_err().kind,
        DecodeErrorKind::LineTooLong { limit: 16384 }
    );
}

/// Decodes `stream` with the streaming decoder fed in `chunk`-sized pieces.
fn collect(stream: &[u8], chunk: usize) -> Vec<Result<Command<'static>, DecodeError>> {
    let mut d = CommandDecoder::new(Limits::default());
    let mut out = Vec::new();
    for c in stream.chunks(chunk) {
        d.push(c);
        while let Some(r) = d.next_command() {
            out.push(r);
        }
    }
    out
}

/// Decodes `stream` with the stateless function, resynchronising after
/// errors as `DecodeError` says.
fn stateless(stream: &[u8]) -> Vec<Result<Command<'static>, DecodeError>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(rest) = stream.get(pos..) {
        match command(rest, &Limits::default()) {
            Ok(Decoded::Incomplete) => break,
            Ok(Decoded::Complete { value, consumed }) => {
                out.push(Ok(value.into_owned()));
                pos += consumed;
            }
            Err(mut e) => {
                e.offset += pos;
                pos += e.discard;
                if e.until_line_end {
                    pos = frame::past_lf(stream, pos).unwrap_or(stream.len());
                }
                out.push(Err(e));
            }
        }
    }
    out
}

#[test]
fn streaming_matches_stateless_for_every_split() {
    let long_line = [b"USER ".as_slice(), &[b'x'; 300], b"\r\n"].concat();
    let stream = [
        b"CAPA\r\nuser mrose\r\nPASS sec ret\r\nRETR 0\r\n".as_slice(),
        &long_line,
        b"STAT\nLIST 1\r\nAUTH PLAIN =\r\nxtnd a b\r\n\r\nQUIT\r\n",
    ]
    .concat();
    let whole = stateless(&stream);
    assert_eq!(whole.len(), 11);
    assert!(whole[3].is_err() && whole[4].is_err() && whole[9].is_err());
    assert_eq!(whole[5], Ok(Command::Stat));
    for chunk in 1..=stream.len() {
        assert_eq!(collect(&stream, chunk), whole, "chunk size {chunk}");
    }
}

#[test]
fn streaming_skips_an_overlong_line_without_buffering_it() {
    let limits = Limits {
        command_line: 16,
        ..Limits::default()
    };
    let mut d = CommandDecoder::new(limits);
    d.push(b"NOOP\r\nUSER ");
    assert_eq!(d.next_command(), Some(Ok(Command::Noop)));
    assert!(d.next_command().is_none());
    d.push(&[b'x'; 100]);
    let e = d.next_command().unwrap().unwrap_err();
    assert_eq!(e.offset, 6);
    assert_eq!(e.kind, DecodeErrorKind::LineTooLong { limit: 16 });
    assert!(e.until_line_end);
    for _ in 0..100 {
        d.push(&[b'y'; 1000]);
        assert!(d.buffered().is_empty());
        assert!(d.next_command().is_none());
    }
    d.push(b"yyy\r\nQUIT\r\n");
    assert_eq!(d.offset(), 6 + 5 + 100 + 100_000 + 5);
    assert_eq!(d.next_command(), Some(Ok(Command::Quit)));
    assert!(d.next_command().is_none());
}

#[test]
fn an_overlong_line_and_the_next_command_in_one_push() {
    let limits = Limits {
        command_line: 16,
        ..Limits::default()
    };
    let mut d = CommandDecoder::new(limits);
    d.push(b"USER xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\nQUIT\r\n");
    let e = d.next_command().unwrap().unwrap_err();
    assert_eq!((e.offset, e.discard, e.until_line_end), (0, 16, true));
    assert_eq!(d.next_command(), Some(Ok(Command::Quit)));
}

#[test]
fn error_offsets_count_from_the_stream_start() {
    let mut d = CommandDecoder::new(Limits::default());
    d.push(b"STAT\r\nRETR 1x\r\n");
    assert_eq!(d.next_command(), Some(Ok(Command::Stat)));
    let e = d.next_command().unwrap().unwrap_err();
    assert_eq!((e.offset, e.kind), (12, DecodeErrorKind::InvalidNumber));
    assert_eq!(d.offset(), 15);
    assert!(d.next_command().is_none());
}

#[test]
fn sasl_exchange_in_the_stream() {
    let mut d = CommandDecoder::new(Limits::default());
    let long = "QUJD".repeat(100);
    d.push(format!("AUTH PLAIN\r\n{long}\r\n*\r\nQUIT\r\n").as_bytes());
    assert!(matches!(d.next_command(), Some(Ok(Command::Auth { .. }))));
    // The caller knows an exchange is under way.
    let Some(Ok(SaslResponse::Data(data))) = d.next_sasl_response() else {
        panic!("a response");
    };
    assert_eq!(data.as_bytes().len(), 400);
    assert_eq!(d.next_sasl_response(), Some(Ok(SaslResponse::Cancel)));
    assert_eq!(d.next_command(), Some(Ok(Command::Quit)));
    // Read as a command, the same long line is refused.
    let mut d = CommandDecoder::new(Limits::default());
    d.push(format!("{long}\r\nNOOP\r\n").as_bytes());
    assert_eq!(
        d.next_command().unwrap().unwrap_err().kind,
        DecodeErrorKind::LineTooLong { limit: 255 }
    );
    assert_eq!(d.next_command(), Some(Ok(Command::Noop)));
}

#[test]
fn switching_limits_mid_line() {
    // A partial line scanned under the SASL limit, then read as a command.
    let mut d = CommandDecoder::new(Limits::default());
    d.push(&[b'A'; 300]);
    assert!(d.next_sasl_response().is_none());
    let e = d.next_command().unwrap().unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::LineTooLong { limit: 255 });
    assert!(e.until_line_end);
    d.push(b"AAAA\r\nSTAT\r\n");
    assert_eq!(d.next_command(), Some(Ok(Command::Stat)));
}

#[test]
fn take_buffered_hands_back_what_was_not_decoded() {
    let mut d = CommandDecoder::new(Limits::default());
    d.push(b"STLS\r\nCAPA\r\nUS");
    assert_eq!(d.next_command(), Some(Ok(Command::Stls)));
    let rest = d.take_buffered();
    assert_eq!(&rest[..], b"CAPA\r\nUS");
    assert_eq!(d.offset(), 14);
    assert!(d.next_command().is_none());
    d.push(b"CAPA\r\n");
    assert_eq!(d.next_command(), Some(Ok(Command::Capa)));
    assert_eq!(d.offset(), 20);
}

#[test]
fn zero_limits_never_stall() {
    let limits = Limits {
        command_line: 0,
        argument: 0,
        sasl_line: 0,
        ..Limits::default()
    };
    let mut d = CommandDecoder::new(limits);
    d.push(b"STAT\r\nNOOP\r\n");
    let mut errors = 0;
    while let Some(r) = d.next_command() {
        assert!(r.is_err());
        errors += 1;
        assert!(errors <= 2);
    }
    assert_eq!(errors, 2);
    assert_eq!(d.offset(), 12);
    assert_eq!(command(b"", &limits), Ok(Decoded::Incomplete));
}

#[test]
fn rfc5034_section6_client_lines() {
    // The three examples of RFC 5034 §6, client side; the DIGEST-MD5 response
    // joined back into one line. The caller reads SASL lines after AUTH.
    let digest_md5 = "Y2hhcnNldD11dGYtOCx1c2VybmFtZT0iY2hyaXMiLHJlYWxtPSJlbHdvb2\
                      QuaW5ub3NvZnQuY29tIixub25jZT0iT0E2TUc5dEVRR20yaGgiLG5jPTAw\
                      MDAwMDAxLGNub25jZT0iT0E2TUhYaDZWcVRyUmsiLGRpZ2VzdC11cmk9In\
                      BvcC9lbHdvb2QuaW5ub3NvZnQuY29tIixyZXNwb25zZT1iMGQ1NmQyZjA1\
                      NGMyNGI2MjA3MjMyMjEwNjQ2OGRiOSxxb3A9YXV0aA==";
    let stream = format!(
        "CAPA\r\nSTLS\r\nCAPA\r\nAUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n\
         CAPA\r\nAUTH PLAIN\r\ndGVzdAB0ZXN0AHRlc3Q=\r\n\
         CAPA\r\nAUTH DIGEST-MD5\r\n{digest_md5}\r\n\r\n"
    );
    let mut d = CommandDecoder::new(Limits::default());
    d.push(stream.as_bytes());
    let mut next = || d.next_command().unwrap().unwrap();
    assert_eq!(next(), Command::Capa);
    assert_eq!(next(), Command::Stls);
    assert_eq!(next(), Command::Capa);
    let Command::Auth {
        mechanism,
        initial_response: Some(ir),
    } = next()
    else {
        panic!("AUTH with an initial response");
    };
    assert_eq!(mechanism.as_str(), "PLAIN");
    assert_eq!(ir.decode(), b"test\0test\0test");
    assert_eq!(next(), Command::Capa);
    assert!(matches!(
        next(),
        Command::Auth {
            initial_response: None,
            ..
        }
    ));
    let Some(Ok(SaslResponse::Data(data))) = d.next_sasl_response() else {
        panic!("a SASL response");
    };
    assert_eq!(data.decode(), b"test\0test\0test");
    assert_eq!(d.next_command(), Some(Ok(Command::Capa)));
    assert!(matches!(d.next_command(), Some(Ok(Command::Auth { .. }))));
    let Some(Ok(SaslResponse::Data(data))) = d.next_sasl_response() else {
        panic!("a SASL response");
    };
    assert!(
        data.decode()
            .starts_with(b"charset=utf-8,username=\"chris\"")
    );
    assert_eq!(
        d.next_sasl_response(),
        Some(Ok(SaslResponse::Data(SaslData::empty())))
    );
    assert!(d.next_command().is_none());
}

#[test]
fn rfc6856_section3_client_lines() {
    // RFC 6856 §3.3, client side.
    let lang = |s: &'static str| Command::Lang(Some(LanguageRange::try_from(s).unwrap()));
    let cases: Vec<(&[u8], Command<'_>)> = vec![
        (b"USER karen\r\n", Command::User(arg("karen"))),
        (
            b"PASS password\r\n",
            Command::Pass(Password::try_from("password").unwrap()),
        ),
        (b"LANG MUL\r\n", lang("MUL")),
        (b"LANG\r\n", Command::Lang(None)),
        (b"LANG es\r\n", lang("es")),
        (b"LANG uga\r\n", lang("uga")),
        (b"LANG sv\r\n", lang("sv")),
        (b"LANG *\r\n", Command::Lang(Some(LanguageRange::any()))),
    ];
    for (wire, expected) in cases {
        assert_eq!(one(wire), expected);
        assert_eq!(expected.to_bytes(), wire);
    }
}
