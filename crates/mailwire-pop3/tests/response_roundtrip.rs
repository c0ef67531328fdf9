//! Property tests for server responses: what is encoded decodes to the same
//! value in the context of its command, and a stream of responses decodes
//! the same however it is split into chunks.

use std::collections::VecDeque;

use bytes::Bytes;
use mailwire_pop3::Limits;
use mailwire_pop3::decode::{self, DecodeError, Decoded, Event, Expect, ResponseDecoder};
use mailwire_pop3::encode::{BodyEncoder, Encode};
use mailwire_pop3::types::{
    Argument, Body, Capability, Challenge, Expiry, Greeting, Language, Mechanism, MessageNumber,
    MultiLine, OtherCapability, OtherCode, Reply, Response, ResponseCode, SaslData, ScanListing,
    Status, Text, UniqueId, UniqueIdListing,
};
use proptest::prelude::*;

/// Any octet text may hold: not NUL, CR or LF.
fn text_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        1u8..=9,
        11u8..=12,
        14u8..=255,
        Just(b' '),
        Just(b'['),
        Just(b']'),
        Just(b'.'),
        Just(b'<'),
    ]
}

fn text(max: usize) -> impl Strategy<Value = Text<'static>> {
    prop::collection::vec(text_byte(), 0..=max).prop_map(|b| Text::new(b).unwrap())
}

fn arg_byte() -> impl Strategy<Value = u8> {
    prop_oneof![1u8..=9, 11u8..=12, 14u8..=31, 33u8..=255, Just(b'.')]
}

fn argument(max: usize) -> impl Strategy<Value = Argument<'static>> {
    prop::collection::vec(arg_byte(), 1..=max).prop_map(|b| Argument::new(b).unwrap())
}

fn code() -> impl Strategy<Value = ResponseCode<'static>> {
    prop_oneof![
        Just(ResponseCode::InUse),
        Just(ResponseCode::LoginDelay),
        Just(ResponseCode::SysTemp),
        Just(ResponseCode::SysPerm),
        Just(ResponseCode::Auth),
        Just(ResponseCode::Utf8),
        "[A-Za-z0-9!-.:-\\\\^-~]{1,8}(/[A-Z0-9-]{1,6}){0,3}"
            .prop_filter_map("an untyped code", |s| OtherCode::new(s.into_bytes())
                .ok()
                .map(ResponseCode::Other)),
    ]
}

fn response(status: Status) -> impl Strategy<Value = Response<'static>> {
    (prop::option::of(code()), text(120))
        .prop_filter_map("text that reads as a code", move |(c, t)| {
            Response::new(status, c, t).ok()
        })
}

fn any_response() -> impl Strategy<Value = Response<'static>> {
    prop_oneof![response(Status::Ok), response(Status::Err)]
}

fn msg() -> impl Strategy<Value = MessageNumber> {
    prop_oneof![1u32..=20, 1u32..=u32::MAX].prop_map(|n| MessageNumber::new(n).unwrap())
}

fn mechanism() -> impl Strategy<Value = Mechanism<'static>> {
    "[A-Z0-9_-]{1,20}".prop_map(|s| Mechanism::new(s.into_bytes()).unwrap())
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        Just(Capability::Top),
        Just(Capability::User),
        prop::collection::vec(mechanism(), 0..4).prop_map(Capability::Sasl),
        Just(Capability::RespCodes),
        (any::<u32>(), any::<bool>())
            .prop_map(|(seconds, per_user)| Capability::LoginDelay { seconds, per_user }),
        Just(Capability::Pipelining),
        (
            prop_oneof![any::<u32>().prop_map(Expiry::Days), Just(Expiry::Never)],
            any::<bool>()
        )
            .prop_map(|(expiry, per_user)| Capability::Expire { expiry, per_user }),
        Just(Capability::Uidl),
        text(60).prop_map(Capability::Implementation),
        Just(Capability::Stls),
        any::<bool>().prop_map(|user| Capability::Utf8 { user }),
        Just(Capability::Lang),
        (argument(12), prop::collection::vec(argument(12), 0..4)).prop_filter_map(
            "a typed capability",
            |(tag, params)| OtherCapability::new(tag, params)
                .ok()
                .map(Capability::Other)
        ),
    ]
}

fn uid() -> impl Strategy<Value = UniqueId<'static>> {
    prop::collection::vec(0x21u8..=0x7e, 1..=70).prop_map(|b| UniqueId::new(b).unwrap())
}

/// Message content, with many line starts and termination octets.
fn content() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b'.'),
            Just(b'\r'),
            Just(b'\n'),
            Just(b'a'),
            any::<u8>(),
            Just(b'.'),
        ],
        0..300,
    )
}

fn body() -> impl Strategy<Value = Body<'static>> {
    prop_oneof![
        prop::collection::vec(capability(), 0..8).prop_map(Body::Capa),
        prop::collection::vec(
            (msg(), any::<u64>()).prop_map(|(msg, size)| ScanListing { msg, size }),
            0..8
        )
        .prop_map(Body::Scan),
        prop::collection::vec(
            (msg(), uid()).prop_map(|(msg, uid)| UniqueIdListing { msg, uid }),
            0..8
        )
        .prop_map(Body::UniqueIds),
        prop::collection::vec(
            (argument(10), text(30)).prop_map(|(tag, description)| Language { tag, description }),
            0..6
        )
        .prop_map(Body::Languages),
        prop::collection::vec(mechanism(), 0..6).prop_map(Body::Mechanisms),
        content().prop_map(|c| Body::Message(Bytes::from(c))),
    ]
}

/// The body a message decodes to once its last line was ended.
fn ended(body: Body<'static>) -> Body<'static> {
    match body {
        Body::Message(b) => {
            let mut v = b.to_vec();
            match v.last() {
                None | Some(b'\n') => {}
                Some(b'\r') => v.push(b'\n'),
                Some(_) => v.extend_from_slice(b"\r\n"),
            }
            Body::Message(v.into())
        }
        other => other,
    }
}

fn reply() -> impl Strategy<Value = Reply<'static>> {
    prop_oneof![
        any_response().prop_map(|r| Reply::Greeting(Greeting::new(r))),
        any_response().prop_map(Reply::Single),
        prop::collection::vec(any::<u8>(), 0..100)
            .prop_map(|raw| Reply::Challenge(Challenge::new(SaslData::encode(&raw)))),
        (response(Status::Ok), body())
            .prop_map(|(r, b)| Reply::Multi(MultiLine::new(r, ended(b)).unwrap())),
    ]
}

/// The expectation under which `reply` decodes as itself.
fn expect_for(reply: &Reply<'_>) -> Expect {
    match reply {
        Reply::Greeting(_) => Expect::Greeting,
        Reply::Single(_) => Expect::Single,
        Reply::Challenge(_) => Expect::Auth,
        Reply::Multi(m) => match m.body() {
            Body::Capa(_) => Expect::Capa,
            Body::Scan(_) => Expect::Scan,
            Body::UniqueIds(_) => Expect::UniqueIds,
            Body::Languages(_) => Expect::Languages,
            Body::Mechanisms(_) => Expect::Mechanisms,
            _ => Expect::Message,
        },
        _ => Expect::Single,
    }
}

fn empty_body(expect: Expect) -> Body<'static> {
    match expect {
        Expect::Capa => Body::Capa(Vec::new()),
        Expect::Scan => Body::Scan(Vec::new()),
        Expect::UniqueIds => Body::UniqueIds(Vec::new()),
        Expect::Languages => Body::Languages(Vec::new()),
        Expect::Mechanisms => Body::Mechanisms(Vec::new()),
        _ => Body::Message(Bytes::new()),
    }
}

/// Splits `bytes` into pieces of the given sizes (cycled), at least 1 each.
fn pieces<'b>(bytes: &'b [u8], sizes: &[usize]) -> Vec<&'b [u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes
            .get(i % sizes.len().max(1))
            .copied()
            .unwrap_or(1)
            .clamp(1, rest.len());
        let (a, b) = rest.split_at(n);
        out.push(a);
        rest = b;
        i += 1;
    }
    out
}

/// The streaming decoder over `pieces`, its events assembled into replies.
fn streaming(
    pieces: &[&[u8]],
    expects: &[Expect],
    limits: Limits,
) -> Vec<Result<Reply<'static>, DecodeError>> {
    let mut d = ResponseDecoder::without_greeting(limits);
    for &e in expects {
        d.expect(e);
    }
    let mut out = Vec::new();
    let mut open: Option<(Response<'static>, Body<'static>, Vec<u8>)> = None;
    for piece in pieces {
        d.push(piece);
        loop {
            let Some(event) = d.next_event() else { break };
            match event {
                Err(e) => {
                    open = None;
                    out.push(Err(e));
                }
                Ok(Event::Greeting(g)) => out.push(Ok(Reply::Greeting(g))),
                Ok(Event::Response(r)) => out.push(Ok(Reply::Single(r))),
                Ok(Event::Challenge(c)) => out.push(Ok(Reply::Challenge(c))),
                Ok(Event::Begin { response, expect }) => {
                    open = Some((response, empty_body(expect), Vec::new()));
                }
                Ok(Event::End) => {
                    let (r, mut body, bytes) = open.take().expect("a body is open");
                    if let Body::Message(b) = &mut body {
                        *b = bytes.into();
                    }
                    out.push(Ok(Reply::Multi(MultiLine::new(r, body).unwrap())));
                }
                Ok(Event::Chunk(c)) => open.as_mut().unwrap().2.extend_from_slice(&c),
                Ok(entry) => match (&mut open.as_mut().unwrap().1, entry) {
                    (Body::Capa(v), Event::Capability(c)) => v.push(c),
                    (Body::Scan(v), Event::Scan(s)) => v.push(s),
                    (Body::UniqueIds(v), Event::UniqueId(u)) => v.push(u),
                    (Body::Languages(v), Event::Language(l)) => v.push(l),
                    (Body::Mechanisms(v), Event::Mechanism(m)) => v.push(m),
                    (b, e) => panic!("{e:?} in {b:?}"),
                },
            }
        }
    }
    out
}

/// The stateless function over the whole stream, resynchronising as errors
/// say. `expects` must outnumber the responses.
fn stateless(
    stream: &[u8],
    expects: &[Expect],
    limits: Limits,
) -> Vec<Result<Reply<'static>, DecodeError>> {
    let mut queue: VecDeque<Expect> = expects.iter().copied().collect();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < stream.len() {
        let expect = *queue.front().expect("enough expectations");
        let rest = &stream[pos..];
        match decode::response(rest, expect, &limits) {
            Ok(Decoded::Incomplete) => break,
            Ok(Decoded::Complete { value, consumed }) => {
                assert!(consumed > 0 && consumed <= rest.len());
                if !matches!(value, Reply::Challenge(_)) {
                    queue.pop_front();
                }
                out.push(Ok(value.into_owned()));
                pos += consumed;
            }
            Err(mut e) => {
                let challenge = rest.starts_with(b"+ ")
                    || rest.starts_with(b"+\r\n")
                    || rest.starts_with(b"+\n");
                if !(expect == Expect::Auth && challenge) {
                    queue.pop_front();
                }
                e.offset += pos;
                pos += e.discard;
                if e.until_line_end {
                    pos = stream[pos.min(stream.len())..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(stream.len(), |i| pos + i + 1);
                }
                if e.until_body_end && pos <= stream.len() {
                    let after_lf = pos > 0 && stream[pos - 1] == b'\n';
                    pos = decode::body_end(&stream[pos..], after_lf)
                        .map_or(stream.len(), |n| pos + n);
                }
                out.push(Err(e));
            }
        }
    }
    out
}

fn expect() -> impl Strategy<Value = Expect> {
    prop_oneof![
        Just(Expect::Greeting),
        Just(Expect::Single),
        Just(Expect::Auth),
        Just(Expect::Capa),
        Just(Expect::Scan),
        Just(Expect::UniqueIds),
        Just(Expect::Languages),
        Just(Expect::Mechanisms),
        Just(Expect::Message),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn reply_round_trips(reply in reply()) {
        let wire = reply.to_bytes();
        let decoded = decode::response(&wire, expect_for(&reply), &Limits::default());
        prop_assert_eq!(
            decoded,
            Ok(Decoded::Complete { value: reply.clone(), consumed: wire.len() })
        );
    }

    #[test]
    fn a_stream_of_replies_decodes_the_same_for_any_split(
        replies in prop::collection::vec(reply(), 0..10),
        sizes in prop::collection::vec(1usize..64, 1..8),
    ) {
        // A challenge keeps the AUTH exchange going: a final line follows.
        let mut replies = replies;
        if matches!(replies.last(), Some(Reply::Challenge(_))) {
            replies.push(Reply::Single(Response::ok("done").unwrap()));
        }
        let mut expects = Vec::new();
        let mut fixed = Vec::new();
        let mut in_auth = false;
        for r in replies {
            match (&r, in_auth) {
                (Reply::Challenge(_), _) => in_auth = true,
                (Reply::Single(_), true) => {
                    expects.push(Expect::Auth);
                    in_auth = false;
                }
                (_, true) => {
                    fixed.push(Reply::Single(Response::err("x").unwrap()));
                    expects.push(Expect::Auth);
                    expects.push(expect_for(&r));
                    in_auth = false;
                }
                (_, false) => expects.push(expect_for(&r)),
            }
            fixed.push(r);
        }
        let replies = fixed;
        let stream: Vec<u8> = replies.iter().flat_map(Encode::to_bytes).collect();
        let got = streaming(&pieces(&stream, &sizes), &expects, Limits::default());
        let want: Vec<_> = replies.into_iter().map(Ok).collect();
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(stateless(&stream, &expects, Limits::default()), want);
    }

    #[test]
    fn arbitrary_bytes_decode_the_same_for_any_split(
        stream in prop::collection::vec(
            prop_oneof![
                Just(b'\r'), Just(b'\n'), Just(b' '), Just(b'.'), Just(b'+'),
                Just(b'O'), Just(b'K'), Just(b'1'), any::<u8>()
            ],
            0..400,
        ),
        kinds in prop::collection::vec(expect(), 1..6),
        sizes in prop::collection::vec(1usize..64, 1..8),
        narrow in any::<bool>(),
    ) {
        let mut limits = Limits::default();
        if narrow {
            limits.response_line = 12;
            limits.sasl_line = 12;
            limits.message_size = 20;
            limits.listing_entries = 2;
        }
        let expects: Vec<Expect> = kinds.iter().copied().cycle().take(stream.len() + 1).collect();
        let reference = stateless(&stream, &expects, limits);
        prop_assert_eq!(streaming(&pieces(&stream, &sizes), &expects, limits), reference.clone());
        prop_assert_eq!(streaming(&[&stream[..]], &expects, limits), reference);
    }

    #[test]
    fn body_encoder_is_split_invariant_and_decodes_back(
        content in content(),
        sizes in prop::collection::vec(1usize..32, 1..6),
    ) {
        let mut whole = b"+OK\r\n".to_vec();
        let mut enc = BodyEncoder::new();
        enc.push(&content, &mut whole);
        enc.finish(&mut whole);
        let mut split = b"+OK\r\n".to_vec();
        let mut enc = BodyEncoder::new();
        for piece in pieces(&content, &sizes) {
            enc.push(piece, &mut split);
        }
        enc.finish(&mut split);
        prop_assert_eq!(&split, &whole);
        let (reply, used) = decode::response(&whole, Expect::Message, &Limits::default())
            .unwrap()
            .complete()
            .unwrap();
        prop_assert_eq!(used, whole.len());
        let Reply::Multi(m) = reply else { panic!("multi-line") };
        prop_assert_eq!(m.body(), &ended(Body::Message(content.into())));
    }
}
