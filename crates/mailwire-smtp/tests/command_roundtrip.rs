//! Property tests for SMTP commands: `decode(encode(x)) == x` for arbitrary
//! commands, and the same commands however the byte stream is split.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use mailwire_smtp::Limits;
use mailwire_smtp::decode::{self, CommandDecoder, DecodeError, Decoded};
use mailwire_smtp::encode::Encode;
use mailwire_smtp::types::{
    AddressLiteral, Body, ByMode, Command, DateTime, DeliverBy, Domain, ForwardPath, Hold,
    HoldSeconds, Host, InitialResponse, LocalPart, MailAuth, MailParams, Mailbox, Mechanism,
    Notify, NotifyOn, Orcpt, OtherParam, Priority, RcptParams, Ret, ReversePath, Secret, Stop,
    Text, Verb, XText,
};
use proptest::prelude::*;

/// Limits wide enough for any generated command.
fn wide() -> Limits {
    let mut limits = Limits::default();
    limits.command_line = 1 << 20;
    limits.path = 1 << 20;
    limits
}

fn domain() -> impl Strategy<Value = Domain<'static>> {
    let label = prop_oneof![
        "[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?",
        "xn--[a-z0-9]{1,8}",
        "[a-zé]{0,3}[üß例子]{1,3}",
    ];
    prop::collection::vec(label, 1..4).prop_map(|labels| Domain::new(labels.join(".")).unwrap())
}

fn literal() -> impl Strategy<Value = AddressLiteral<'static>> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| AddressLiteral::Ipv4(Ipv4Addr::from(o))),
        any::<[u16; 8]>().prop_map(|g| AddressLiteral::Ipv6(Ipv6Addr::from(g))),
        // Runs of zero groups, so the compressed forms are used.
        (any::<u16>(), 0usize..8, 0usize..8).prop_map(|(v, at, len)| {
            let mut g = [0u16; 8];
            g[at] = v;
            g[(at + len) % 8] = v;
            AddressLiteral::Ipv6(Ipv6Addr::from(g))
        }),
        any::<u32>().prop_map(|v| AddressLiteral::Ipv6(Ipv4Addr::from(v).to_ipv6_mapped())),
        ("[a-zA-Z0-9-]{0,6}[a-zA-Z0-9]", "[!-Z^-~]{1,12}")
            .prop_filter("IPv6 tag", |(t, _)| !t.eq_ignore_ascii_case("IPv6"))
            .prop_map(|(t, c)| AddressLiteral::general(t, c).unwrap()),
    ]
}

fn host() -> impl Strategy<Value = Host<'static>> {
    prop_oneof![
        3 => domain().prop_map(Host::Domain),
        1 => literal().prop_map(Host::from),
    ]
}

fn local_part() -> impl Strategy<Value = LocalPart<'static>> {
    prop_oneof![
        // Dot-strings.
        prop::collection::vec("[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}|[äø用户]{1,3}", 1..4)
            .prop_map(|atoms| LocalPart::new(atoms.join(".")).unwrap()),
        // Any value, quoted when it must be.
        "[ -~éü]{0,20}".prop_map(|v| LocalPart::from_value(&v).unwrap().into_owned()),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    (local_part(), host()).prop_map(|(l, h)| Mailbox::new(l, h))
}

fn xtext() -> impl Strategy<Value = XText<'static>> {
    prop::collection::vec(any::<u8>(), 1..30).prop_map(|o| XText::from_octets(&o).unwrap())
}

fn others() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    prop::collection::vec(
        ("X-[A-Z0-9]{1,6}", prop::option::of("[!-<>-~é]{1,10}")),
        0..3,
    )
}

fn mail_params() -> impl Strategy<Value = MailParams<'static>> {
    let a = (
        prop::option::of(any::<u64>()),
        prop::option::of(prop_oneof![
            Just(Body::SevenBit),
            Just(Body::EightBitMime),
            Just(Body::BinaryMime)
        ]),
        any::<bool>(),
        prop::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Headers)]),
        prop::option::of(xtext()),
        prop::option::of(prop::option::of(xtext())),
    );
    let b = (
        any::<bool>(),
        prop::option::of(-9i8..=9),
        prop::option::of(prop_oneof![
            (0u32..=999_999_999).prop_map(|s| Hold::For(HoldSeconds::new(s).unwrap())),
            Just(Hold::Until(
                DateTime::new("2031-07-04T08:09:10.123-05:30").unwrap()
            )),
        ]),
        prop::option::of((-999_999_999i32..=999_999_999, any::<bool>(), any::<bool>())),
        others(),
    );
    (a, b).prop_map(
        |((size, body, smtputf8, ret, envid, auth), (requiretls, prio, hold, by, other))| {
            let mut p = MailParams::default();
            p.size = size;
            p.body = body;
            p.smtputf8 = smtputf8;
            p.ret = ret;
            p.envid = envid;
            p.set_auth(auth.map(|a| match a {
                None => MailAuth::unknown(),
                // `<>` encodes as itself and means "unknown": skip it.
                Some(x) => MailAuth::identity(x).unwrap_or_else(|_| MailAuth::unknown()),
            }));
            p.requiretls = requiretls;
            p.set_mt_priority(prio.and_then(Priority::new));
            p.set_hold(hold);
            p.set_by(by.and_then(|(s, r, t)| {
                DeliverBy::new(s, if r { ByMode::Return } else { ByMode::Notify }, t)
            }));
            for (k, v) in other {
                let param = OtherParam::new(k, v.as_deref()).unwrap().into_owned();
                let _ = p.add_other(param);
            }
            p
        },
    )
}

fn rcpt_params() -> impl Strategy<Value = RcptParams<'static>> {
    (
        prop::option::of(prop_oneof![
            Just(Notify::Never),
            (any::<bool>(), any::<bool>(), any::<bool>())
                .prop_filter_map("empty", |(s, f, d)| NotifyOn::new(s, f, d).map(Notify::On)),
        ]),
        prop::option::of(("rfc822|utf-8|[a-zA-Z0-9-]{1,6}", xtext())),
        others(),
    )
        .prop_map(|(notify, orcpt, other)| {
            let mut p = RcptParams::default();
            p.notify = notify;
            p.orcpt = orcpt.map(|(t, x)| Orcpt::new(t, x).unwrap().into_owned());
            for (k, v) in other {
                let param = OtherParam::new(k, v.as_deref()).unwrap().into_owned();
                let _ = p.add_other(param);
            }
            p
        })
}

/// Argument text: no controls but HT, no blanks at either end.
fn text() -> impl Strategy<Value = Text<'static>> {
    prop::collection::vec(
        any::<u8>().prop_filter("control", |&b| (b >= 0x20 && b != 0x7f) || b == b'\t'),
        1..40,
    )
    .prop_filter_map("blank at an end", |v| Text::new(v).ok())
}

fn secret() -> impl Strategy<Value = Secret<'static>> {
    "([A-Za-z0-9+/]{4}){0,6}([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)"
        .prop_map(|s| Secret::new(s).unwrap())
}

fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![
        host().prop_map(|host| Command::Ehlo { host }),
        host().prop_map(|host| Command::Helo { host }),
        host().prop_map(|host| Command::Lhlo { host }),
        (prop::option::of(mailbox()), mail_params()).prop_map(|(m, params)| Command::Mail {
            from: m.map_or(ReversePath::Null, ReversePath::Mailbox),
            params,
            source_route: false,
        }),
        (prop::option::of(mailbox()), rcpt_params()).prop_map(|(m, params)| Command::Rcpt {
            to: m.map_or(ForwardPath::Postmaster, ForwardPath::Mailbox),
            params,
            source_route: false,
        }),
        Just(Command::Data),
        (0u64..200, any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
        Just(Command::Rset),
        text().prop_map(|arg| Command::Vrfy { arg }),
        text().prop_map(|arg| Command::Expn { arg }),
        prop::option::of(text()).prop_map(|arg| Command::Help { arg }),
        prop::option::of(text()).prop_map(|arg| Command::Noop { arg }),
        Just(Command::Quit),
        Just(Command::StartTls),
        (
            "[A-Za-z0-9_-]{1,20}",
            prop::option::of(prop::option::of(secret()))
        )
            .prop_map(|(m, ir)| Command::Auth {
                mechanism: Mechanism::new(m).unwrap(),
                initial_response: ir
                    .map(|s| s.map_or(InitialResponse::Empty, InitialResponse::Base64)),
            }),
        ("[!-~]{1,12}", prop::option::of(text())).prop_filter_map("known verb", |(v, args)| {
            Some(Command::Unknown {
                verb: Verb::new(v).ok()?,
                args,
            })
        }),
    ]
}

fn decode_one(bytes: &[u8]) -> Result<Command<'_>, String> {
    match decode::command(bytes, &wide()) {
        Ok(Decoded::Complete { value, consumed }) if consumed == bytes.len() => Ok(value),
        other => Err(format!(
            "{other:?} for {:?}",
            String::from_utf8_lossy(bytes)
        )),
    }
}

/// Feeds `input` to a streaming decoder in chunks of the given sizes; after
/// a stop, takes a `BDAT` chunk's octets and resumes.
fn stream(
    input: &[u8],
    chunks: &[usize],
    limits: Limits,
) -> Vec<(usize, Result<Command<'static>, DecodeError>, Vec<u8>)> {
    let mut d = CommandDecoder::new(limits);
    let mut out: Vec<(usize, Result<Command<'static>, DecodeError>, Vec<u8>)> = Vec::new();
    let mut rest = input;
    let mut sizes = chunks.iter().cycle();
    let mut pending_body = 0usize;
    loop {
        loop {
            if let Some(stop) = d.stopped() {
                match stop {
                    Stop::Bdat { .. } => {
                        let body = d.take(pending_body);
                        pending_body -= body.len();
                        if let Some(last) = out.last_mut() {
                            last.2.extend_from_slice(&body);
                        }
                        if pending_body > 0 {
                            break;
                        }
                        d.resume();
                    }
                    _ => d.resume(),
                }
            }
            let at = d.offset();
            match d.next_command() {
                Some(r) => {
                    if let Ok(Command::Bdat { size, .. }) = &r {
                        pending_body = usize::try_from(*size).unwrap();
                    }
                    out.push((at, r, Vec::new()));
                }
                None if d.stopped().is_some() => continue,
                None => break,
            }
        }
        if rest.is_empty() {
            return out;
        }
        let n = (*sizes.next().unwrap_or(&1)).clamp(1, rest.len());
        d.push(&rest[..n]);
        rest = &rest[n..];
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decode_encode_roundtrip(cmd in command()) {
        let bytes = cmd.to_bytes();
        let back = decode_one(&bytes).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&back, &cmd);
        // And encoding again gives the same bytes.
        prop_assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn encoding_never_breaks_a_line(cmd in command()) {
        let bytes = cmd.to_bytes();
        let body = &bytes[..bytes.len() - 2];
        prop_assert!(!body.contains(&b'\n') && !body.contains(&b'\r') && !body.contains(&0));
    }

    #[test]
    fn split_invariance(
        cmds in prop::collection::vec((command(), prop::collection::vec(any::<u8>(), 0..200)), 1..8),
        chunks in prop::collection::vec(1usize..40, 1..8),
    ) {
        let mut input = Vec::new();
        let mut expected = Vec::new();
        for (cmd, body) in &cmds {
            let start = input.len();
            cmd.encode(&mut input);
            let mut chunk = Vec::new();
            if let Command::Bdat { size, .. } = cmd {
                let n = usize::try_from(*size).unwrap();
                chunk = body.iter().copied().cycle().take(n).collect::<Vec<_>>();
                if chunk.len() < n {
                    chunk.resize(n, b'.');
                }
                input.extend_from_slice(&chunk);
            }
            expected.push((start, Ok(cmd.clone()), chunk));
        }
        let whole = stream(&input, &[input.len()], wide());
        prop_assert_eq!(&whole, &expected);
        prop_assert_eq!(stream(&input, &chunks, wide()), whole);
    }

    #[test]
    fn arbitrary_bytes_split_invariant(
        input in prop::collection::vec(
            prop_oneof![
                4 => any::<u8>(),
                1 => Just(b'\n'),
                1 => Just(b' '),
                1 => Just(b'<'),
            ],
            0..400,
        ),
        chunks in prop::collection::vec(1usize..64, 1..8),
    ) {
        let mut limits = Limits::default();
        limits.command_line = 32;
        limits.path = 20;
        let whole = stream(&input, &[input.len().max(1)], limits);
        prop_assert_eq!(stream(&input, &chunks, limits), whole);
    }

    #[test]
    fn prefixed_verbs_decode_like_known_ones(cmd in command()) {
        // Lower-case verbs and keywords decode to the same command.
        let bytes = cmd.to_bytes();
        let verb_len = cmd.verb().len();
        let mut lower = bytes.clone();
        lower[..verb_len].make_ascii_lowercase();
        let back = decode_one(&lower).map_err(TestCaseError::fail)?;
        prop_assert_eq!(back, cmd);
    }
}

#[test]
fn local_part_value_round_trips() {
    for v in ["", "a b", "\"", "\\", "a.b", ".a", "é x"] {
        let l = LocalPart::from_value(v).unwrap();
        assert_eq!(l.value(), Cow::Borrowed(v));
        assert_eq!(LocalPart::new(l.as_str().to_owned()).unwrap(), l);
    }
}
