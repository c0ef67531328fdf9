//! Property tests: what is encoded decodes to the same value, and a stream
//! decodes the same however it is split into chunks.

use mailwire_pop3::Limits;
use mailwire_pop3::decode::{self, CommandDecoder, Decoded};
use mailwire_pop3::encode::Encode;
use mailwire_pop3::types::{
    Argument, Command, CommandKind, Digest, Keyword, LanguageRange, Mechanism, MessageNumber,
    Password, SaslData, SaslResponse,
};
use proptest::prelude::*;

/// Any octet an argument may hold: not NUL, CR, LF or SP.
fn arg_byte() -> impl Strategy<Value = u8> {
    prop_oneof![1u8..=9, 11u8..=12, 14u8..=31, 33u8..=255, Just(b'a')]
}

fn argument(max: usize) -> impl Strategy<Value = Argument<'static>> {
    prop::collection::vec(arg_byte(), 1..=max).prop_map(|b| Argument::new(b).unwrap())
}

fn password() -> impl Strategy<Value = Password<'static>> {
    prop::collection::vec(prop_oneof![arg_byte(), Just(b' ')], 1..=200)
        .prop_map(|b| Password::new(b).unwrap())
}

fn msg() -> impl Strategy<Value = MessageNumber> {
    prop_oneof![1u32..=20, 1u32..=u32::MAX].prop_map(|n| MessageNumber::new(n).unwrap())
}

fn sasl_data(max_raw: usize) -> impl Strategy<Value = SaslData<'static>> {
    prop::collection::vec(any::<u8>(), 0..=max_raw).prop_map(|raw| SaslData::encode(&raw))
}

fn mechanism() -> impl Strategy<Value = Mechanism<'static>> {
    "[A-Za-z0-9_-]{1,20}".prop_map(|s| Mechanism::new(s.into_bytes()).unwrap())
}

fn keyword() -> impl Strategy<Value = Keyword<'static>> {
    prop::collection::vec(arg_byte(), 1..=8)
        .prop_filter("not a known keyword", |b| {
            CommandKind::from_keyword(b).is_none()
        })
        .prop_map(|b| Keyword::new(b).unwrap())
}

/// Any valid command whose encoding fits the default limits.
fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![
        argument(40).prop_map(Command::User),
        password().prop_map(Command::Pass),
        (argument(40), any::<[u8; 16]>()).prop_map(|(name, d)| Command::Apop {
            name,
            digest: Digest::new(d),
        }),
        (mechanism(), prop::option::of(sasl_data(150))).prop_map(|(mechanism, ir)| {
            Command::Auth {
                mechanism,
                initial_response: ir,
            }
        }),
        Just(Command::AuthList),
        Just(Command::Stat),
        prop::option::of(msg()).prop_map(Command::List),
        msg().prop_map(Command::Retr),
        msg().prop_map(Command::Dele),
        Just(Command::Noop),
        Just(Command::Rset),
        Just(Command::Quit),
        (msg(), any::<u32>()).prop_map(|(msg, lines)| Command::Top { msg, lines }),
        prop::option::of(msg()).prop_map(Command::Uidl),
        Just(Command::Capa),
        Just(Command::Stls),
        Just(Command::Utf8),
        prop::option::of(prop_oneof![
            Just(LanguageRange::any()),
            argument(40).prop_map(LanguageRange::from),
        ])
        .prop_map(Command::Lang),
        (keyword(), prop::collection::vec(argument(40), 0..=5))
            .prop_map(|(name, args)| Command::Unknown { name, args }),
    ]
}

fn sasl_response() -> impl Strategy<Value = SaslResponse<'static>> {
    prop_oneof![
        Just(SaslResponse::Cancel),
        sasl_data(3000).prop_map(SaslResponse::Data),
    ]
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn command_round_trips(cmd in command()) {
        let wire = cmd.to_bytes();
        prop_assert!(wire.len() <= 255, "{} octets", wire.len());
        let decoded = decode::command(&wire, &Limits::default());
        prop_assert_eq!(
            decoded,
            Ok(Decoded::Complete { value: cmd.clone(), consumed: wire.len() })
        );
    }

    #[test]
    fn sasl_response_round_trips(r in sasl_response()) {
        let wire = r.to_bytes();
        let decoded = decode::sasl_response(&wire, &Limits::default());
        prop_assert_eq!(decoded, Ok(Decoded::Complete { value: r.clone(), consumed: wire.len() }));
    }

    #[test]
    fn a_stream_decodes_the_same_for_any_split(
        cmds in prop::collection::vec(command(), 0..12),
        sizes in prop::collection::vec(1usize..64, 1..8),
    ) {
        let stream: Vec<u8> = cmds.iter().flat_map(|c| c.to_bytes()).collect();
        let mut decoder = CommandDecoder::new(Limits::default());
        let mut got = Vec::new();
        for piece in pieces(&stream, &sizes) {
            decoder.push(piece);
            while let Some(r) = decoder.next_command() {
                got.push(r.unwrap());
            }
        }
        prop_assert_eq!(got, cmds);
        prop_assert!(decoder.buffered().is_empty());
        prop_assert_eq!(decoder.offset(), stream.len());
    }

    #[test]
    fn arbitrary_bytes_decode_the_same_for_any_split(
        stream in prop::collection::vec(
            prop_oneof![
                Just(b'\r'), Just(b'\n'), Just(b' '), Just(b'0'), Just(b'1'),
                Just(b'S'), Just(b'T'), Just(b'A'), any::<u8>()
            ],
            0..400,
        ),
        sizes in prop::collection::vec(1usize..64, 1..8),
    ) {
        // Reference: the stateless function, resynchronising as errors say.
        let limits = Limits::default();
        let mut whole = Vec::new();
        let mut pos = 0;
        while pos < stream.len() {
            match decode::command(&stream[pos..], &limits) {
                Ok(Decoded::Incomplete) => break,
                Ok(Decoded::Complete { value, consumed }) => {
                    whole.push(Ok(value.into_owned()));
                    pos += consumed;
                }
                Err(e) => {
                    let discard = e.discard;
                    let until_line_end = e.until_line_end;
                    let mut e = e;
                    e.offset += pos;
                    whole.push(Err(e));
                    pos += discard;
                    if until_line_end {
                        pos = stream[pos..].iter().position(|&b| b == b'\n')
                            .map_or(stream.len(), |i| pos + i + 1);
                    }
                }
            }
        }
        let mut decoder = CommandDecoder::new(limits);
        let mut got = Vec::new();
        for piece in pieces(&stream, &sizes) {
            decoder.push(piece);
            while let Some(r) = decoder.next_command() {
                got.push(r);
            }
        }
        prop_assert_eq!(got, whole);
    }
}
